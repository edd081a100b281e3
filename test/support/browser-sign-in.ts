// A browser stand-in for sign-in tests: fetch with a cookie jar that follows
// redirects by hand and fills the workspace's HTML forms (sign-in, first
// admin, device code) the way a person would. It runs no script, so it
// proves the pages work without one.

export interface Credentials {
  email: string
  password: string
}

export interface BrowseResult {
  finalUrl: string
  response: Response
  jar: CookieJar
}

interface StoredCookie {
  name: string
  value: string
  path: string
  expiresAt: number | undefined
}

/** Cookies per host (RFC 6265 ignores ports), with path matching and
 * expiry, enough for the workspace's own cookies. */
export class CookieJar {
  readonly #byHost = new Map<string, StoredCookie[]>()

  /** The Cookie header a browser sends to `url`. */
  header(url: string | URL): string {
    const { hostname, pathname } = new URL(url)
    return this.#live(hostname)
      .filter((cookie) => pathMatches(pathname, cookie.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ')
  }

  /** The value of the cookie `name` that `url` would receive. */
  get(name: string, url: string | URL): string | undefined {
    const { hostname, pathname } = new URL(url)
    return this.#live(hostname).find(
      (cookie) => cookie.name === name && pathMatches(pathname, cookie.path),
    )?.value
  }

  store(url: string | URL, response: Response): void {
    const target = new URL(url)
    for (const line of response.headers.getSetCookie()) {
      this.#set(target, line)
    }
  }

  #live(hostname: string): StoredCookie[] {
    const now = Date.now()
    return (this.#byHost.get(hostname) ?? []).filter(
      (cookie) => cookie.expiresAt === undefined || cookie.expiresAt > now,
    )
  }

  #set(target: URL, line: string): void {
    const [pair = '', ...attributes] = line.split(';')
    const equals = pair.indexOf('=')
    if (equals < 1) return

    const cookie: StoredCookie = {
      name: pair.slice(0, equals).trim(),
      value: pair.slice(equals + 1).trim(),
      path: defaultPath(target.pathname),
      expiresAt: undefined,
    }
    for (const attribute of attributes) {
      const [key = '', value = ''] = attribute.split('=').map((s) => s.trim())
      const lower = key.toLowerCase()
      if (lower === 'path' && value.startsWith('/')) cookie.path = value
      if (lower === 'max-age')
        cookie.expiresAt = Date.now() + Number(value) * 1000
      if (lower === 'expires' && cookie.expiresAt === undefined) {
        cookie.expiresAt = Date.parse(value)
      }
    }

    const kept = (this.#byHost.get(target.hostname) ?? []).filter(
      (old) => old.name !== cookie.name || old.path !== cookie.path,
    )
    this.#byHost.set(target.hostname, [...kept, cookie])
  }
}

/** Follows `startUrl` like a browser and signs in with the password form
 * when it appears (or sets up the first admin, on a fresh workspace). Stops
 * at the first page that is neither a redirect nor a form to fill, such as
 * the signed-in app, a CLI's loopback callback or an error page. */
export async function signInWithPassword(
  startUrl: string,
  credentials: Credentials,
  jar = new CookieJar(),
): Promise<BrowseResult> {
  return await browse(startUrl, jar, (form, done) => {
    if (!form.fields.has('password') || done.has('password')) return undefined
    done.add('password')
    return { email: credentials.email, password: credentials.password }
  })
}

/** Completes the device authorization grant (RFC 8628 §3.3) as the person
 * at a browser: enters the user code, confirms it and signs in. */
export async function completeDeviceCode(
  verificationUri: string,
  userCode: string,
  credentials: Credentials,
  jar = new CookieJar(),
): Promise<BrowseResult> {
  return await browse(verificationUri, jar, (form, done): Filled => {
    if (form.fields.has('password') && !done.has('password')) {
      done.add('password')
      return { email: credentials.email, password: credentials.password }
    }
    if (form.fields.has('confirm') && !done.has('confirm')) {
      done.add('confirm')
      return {}
    }
    if (form.fields.has('user_code') && !done.has('user_code')) {
      done.add('user_code')
      return { user_code: userCode }
    }
    return undefined
  })
}

interface Form {
  action: URL
  fields: Map<string, string>
}

type Filled = Record<string, string> | undefined

type Fill = (
  form: Form,
  done: Set<string>,
) => Record<string, string> | undefined

const maxSteps = 40

async function browse(
  startUrl: string,
  jar: CookieJar,
  fill: Fill,
): Promise<BrowseResult> {
  const done = new Set<string>()
  let url = new URL(startUrl)
  let body: URLSearchParams | undefined

  for (let step = 0; step < maxSteps; step += 1) {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      body,
      headers: { cookie: jar.header(url), accept: 'text/html' },
      redirect: 'manual',
    })
    jar.store(url, response)

    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel()
      url = new URL(location, url)
      body = undefined
      continue
    }

    const text = await response.text()
    const copy = new Response(nullBody(response.status) ? null : text, response)
    const form = isHtml(response) ? parseForm(text, url) : undefined
    const values = form === undefined ? undefined : fill(form, done)
    if (form === undefined || values === undefined) {
      return { finalUrl: url.href, response: copy, jar }
    }

    const fields = new Map([...form.fields, ...Object.entries(values)])
    body = new URLSearchParams([...fields])
    url = form.action
  }
  throw new Error(`sign-in did not settle within ${maxSteps} steps`)
}

function nullBody(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304
}

function isHtml(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('text/html')
}

/** The first POST form on the page, with the names and values of its
 * inputs (a browser would also send what the person typed). */
function parseForm(page: string, base: URL): Form | undefined {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(page)
  if (match === null) return undefined

  const attributes = parseAttributes(match[1] ?? '')
  if ((attributes.get('method') ?? 'get').toLowerCase() !== 'post') {
    return undefined
  }

  const fields = new Map<string, string>()
  for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
    const inputAttributes = parseAttributes(input[1] ?? '')
    const name = inputAttributes.get('name')
    if (name !== undefined) fields.set(name, inputAttributes.get('value') ?? '')
  }

  const action = new URL(attributes.get('action') ?? base.href, base)
  return { action, fields }
}

function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>()
  const pattern = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)')/g
  for (const [, name = '', , double, single] of source.matchAll(pattern)) {
    attributes.set(name.toLowerCase(), decodeEntities(double ?? single ?? ''))
  }
  return attributes
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) =>
      String.fromCodePoint(parseInt(hex, 16)),
    )
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&amp;/g, '&')
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}

// RFC 6265 §5.1.4: the directory of the request path.
function defaultPath(pathname: string): string {
  const slash = pathname.lastIndexOf('/')
  return slash <= 0 ? '/' : pathname.slice(0, slash)
}
