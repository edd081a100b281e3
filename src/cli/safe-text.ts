// What the CLI prints often came from someone else: a collaborator's title
// or message, the agent's text and tool output, a host name, a server's
// error message. A control character in it would reach the terminal as a
// command (ESC sequences clear the screen, set the window title or fake a
// transcript line; BEL rings; CR overwrites), so every such character is
// shown as a visible stand-in instead. Printing goes through output.ts,
// which applies this to everything.

/** C0 controls, DEL and the C1 range (U+0080–U+009F: 8-bit CSI, OSC…).
 * Bidirectional overrides and isolates are included as well: they reorder
 * what is shown without being visible themselves. */
const unsafe = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
const unsafeButLines =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Text for a place that may span lines: newline and tab stay. */
export function safeText(text: string): string {
  return text.replace(unsafeButLines, visible)
}

/** Text for one line or one table cell: newline and tab are shown too. */
export function safeLine(text: string): string {
  return text.replace(unsafe, visible)
}

/** JSON.stringify escapes C0 but leaves C1 and bidi marks raw; escaping
 * them keeps the JSON the same value and the terminal safe. */
export function safeJson(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** C0 and DEL have Unicode "control pictures" (ESC → ␛, BEL → ␇, CR → ␍,
 * newline → ␊); the rest is spelled out as an escape. */
function visible(c: string): string {
  const code = c.charCodeAt(0)
  if (code < 0x20) return String.fromCharCode(0x2400 + code)
  if (code === 0x7f) return '\u2421'
  const hex = code.toString(16).padStart(code > 0xff ? 4 : 2, '0')
  return code > 0xff ? `\\u${hex}` : `\\x${hex}`
}
