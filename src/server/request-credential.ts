// Which credential a request presents, in the order the authenticator reads
// them: a bearer token first, else the web sign-in cookie. The server needs
// to know which, because only a cookie rides along on a request another
// site makes, and only a cookie names a web sign-in that can end.

import type { IncomingHttpHeaders } from 'node:http'
import { readCookie } from '../identity/cookie-header.ts'
import { sessionCookie } from '../identity/index.ts'

export type CredentialKind = 'bearer' | 'cookie' | 'none'

export function credentialKind(headers: IncomingHttpHeaders): CredentialKind {
  if (/^Bearer\b/i.test(headers.authorization ?? '')) return 'bearer'
  return readCookie(headers.cookie, sessionCookie) ? 'cookie' : 'none'
}
