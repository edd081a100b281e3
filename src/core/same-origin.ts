// Is a request from this server's own pages? Browsers name the page that
// made a request in `Origin` (RFC 6454 §7; the Fetch standard sends it on
// every request but a plain GET or HEAD) and usually in `Referer`. Both are
// compared as origins, so `http://host:80` and `http://host` are the same
// (RFC 6454 §4: a URI's default port is the port of its origin).

/** The serialised origin of a URL, or undefined when there is none (an
 * opaque origin such as `null`, or no URL at all). */
export function originOf(value: string | undefined): string | undefined {
  if (value === undefined || value === '' || value === 'null') return undefined

  const url = URL.parse(value)
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return undefined
  }
  return url.origin
}

export type OriginVerdict = 'same' | 'cross' | 'unknown'

/** Judges a request by `Origin`, falling back to `Referer` only when the
 * browser sent no `Origin` at all. */
export function judgeOrigin(
  headers: { origin?: string; referer?: string },
  publicOrigin: string,
): OriginVerdict {
  const sent = headers.origin ?? headers.referer
  if (sent === undefined) return 'unknown'
  return originOf(sent) === publicOrigin ? 'same' : 'cross'
}
