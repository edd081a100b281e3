// Who is asking: every HTTP route, WebSocket upgrade and MCP call resolves
// its caller here, from a bearer access token or else the web session
// cookie. It works on a raw IncomingMessage so upgrades can use it too.

import type { IncomingMessage } from 'node:http'
import type { Kysely } from 'kysely'
import type { Actor } from '../access/policy.ts'
import { OmniError } from '../core/errors.ts'
import type { Database } from '../storage/schema.ts'
import { getUserById } from '../storage/user-store.ts'
import { readCookie } from './cookie-header.ts'
import { identityFromClaims } from './identity-claims.ts'
import { actorOf, recordIdentity } from './sign-in-record.ts'
import type { VerifyToken } from './token-verifier.ts'
import { findLiveWebSession } from './web-session-store.ts'
import { sessionCookie } from './web-sign-in.ts'

export interface AuthenticatorOptions {
  db: Kysely<Database>
  workspaceId: string
  issuer: string
  adminGroup: string
  verifyToken: VerifyToken
}

export type Authenticate = (request: IncomingMessage) => Promise<Actor>

export function createAuthenticator(
  options: AuthenticatorOptions,
): Authenticate {
  const { db, workspaceId, issuer, adminGroup, verifyToken } = Object.freeze({
    ...options,
  })

  async function fromBearer(token: string): Promise<Actor> {
    const claims = await verifyToken(token)
    const identity = identityFromClaims(issuer, claims, adminGroup)
    return actorOf(await recordIdentity(db, workspaceId, identity))
  }

  async function fromCookie(token: string): Promise<Actor> {
    const session = await findLiveWebSession(db, workspaceId, token)
    if (session === undefined) throw new OmniError('unauthenticated')

    const user = await getUserById(db, workspaceId, session.user_id)
    if (user === undefined) throw new OmniError('unauthenticated')
    return actorOf(user)
  }

  return async function authenticate(request) {
    const bearer = bearerToken(request.headers.authorization)
    if (bearer !== undefined) return await fromBearer(bearer)

    const token = readCookie(request.headers.cookie, sessionCookie)
    if (token) return await fromCookie(token)

    throw new OmniError('unauthenticated')
  }
}

/** The token of an `Authorization: Bearer` header (RFC 6750 §2.1). */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim())
  if (match === null) {
    if (/^Bearer\b/i.test(header)) throw new OmniError('token_invalid')
    return undefined
  }
  return match[1]
}
