// The one cookie Omnigent sets itself, read from a raw Cookie header so that
// WebSocket upgrades (which never reach Fastify's cookie parsing) can use it.

/** The value of cookie `name` in a Cookie header (RFC 6265 §5.4), or
 * undefined. A value we set is base64url, so no decoding is needed. */
export function readCookie(
  header: string | undefined,
  name: string,
): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const equals = part.indexOf('=')
    if (equals < 0) continue
    if (part.slice(0, equals).trim() !== name) continue

    const value = part.slice(equals + 1).trim()
    return value.startsWith('"') && value.endsWith('"')
      ? value.slice(1, -1)
      : value
  }
  return undefined
}

export interface SetCookieOptions {
  maxAgeSeconds: number
  secure: boolean
}

/** A Set-Cookie header for a session cookie: HttpOnly, SameSite=Lax,
 * Path=/, Secure on https. Max-Age 0 removes it. */
export function sessionSetCookie(
  name: string,
  value: string,
  { maxAgeSeconds, secure }: SetCookieOptions,
): string {
  if (!/^[A-Za-z0-9\-_.~]*$/.test(value)) {
    throw new TypeError('cookie value must be URL-safe')
  }
  const parts = [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Lax',
  ]
  if (secure) parts.push('Secure')
  return parts.join('; ')
}
