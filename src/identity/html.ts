// The identity pages are plain server-rendered HTML with no script. Every
// value that reaches a page goes through `escapeHtml`; templates take only
// already-escaped fragments through `raw`.

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => entities[char] ?? char)
}

/** A fragment of HTML that is safe to insert as is. */
export interface Html {
  readonly html: string
}

export function raw(html: string): Html {
  return { html }
}

/** A tagged template that escapes every interpolated value unless it is
 * already `Html`. */
export function html(
  strings: TemplateStringsArray,
  ...values: Array<string | Html | Html[]>
): Html {
  let out = strings[0] ?? ''
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '')
  })
  return raw(out)
}

function render(value: string | Html | Html[]): string {
  if (typeof value === 'string') return escapeHtml(value)
  if (Array.isArray(value)) return value.map((part) => part.html).join('')
  return value.html
}

const style = `
body{font-family:system-ui,sans-serif;background:#f6f6f4;color:#1d1d1b;margin:0}
main{max-width:22rem;margin:4rem auto;padding:2rem;background:#fff;
border:1px solid #ddd;border-radius:8px}
h1{font-size:1.3rem;margin:0 0 1rem}
label{display:block;margin:.8rem 0 .3rem;font-size:.9rem}
input[type=email],input[type=password],input[type=text]{width:100%;
box-sizing:border-box;padding:.55rem;font-size:1rem;border:1px solid #bbb;
border-radius:4px}
button{margin-top:1.2rem;width:100%;padding:.6rem;font-size:1rem;border:0;
border-radius:4px;background:#1d4ed8;color:#fff;cursor:pointer}
button.secondary{background:none;color:#555;margin-top:.5rem}
.error{color:#b91c1c}
.note{color:#555;font-size:.9rem}
code{font-size:1.4rem}`

/** A whole page around `body`. */
export function page(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} · Omnigent</title>
        <style>
          ${raw(style)}
        </style>
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`.html
}
