// Who is asking: every HTTP route, WebSocket upgrade and MCP call resolves
// its caller here. In order: identity headers from the trusted proxy, a
// bearer token (a personal access token, the issuer's JWT, or an opaque
// token the issuer's userinfo vouches for), else the web session cookie.
// It works on a raw IncomingMessage so upgrades can use it too.

import type { IncomingMessage } from 'node:http'
import type { Kysely } from 'kysely'
import type { Actor } from '../access/policy.ts'
import { OmniError } from '../core/errors.ts'
import type { Database } from '../storage/schema.ts'
import { getUserById } from '../storage/user-store.ts'
import type { AccessTokens } from './access-tokens.ts'
import { isAccessToken } from './access-tokens.ts'
import { readCookie } from './cookie-header.ts'
import type { CheckGrant } from './grant-check.ts'
import { identityFromClaims, type ClaimRules } from './identity-claims.ts'
import type { ProxyIdentity } from './proxy-identity.ts'
import { actorOf, type IdentityRecorder } from './sign-in-record.ts'
import { looksLikeJwt, type VerifyToken } from './token-verifier.ts'
import type { CheckOpaqueToken } from './userinfo-check.ts'
import { findLiveWebSession } from './web-session-store.ts'
import { sessionCookie } from './web-sign-in.ts'

export interface AuthenticatorOptions {
  db: Kysely<Database>
  workspaceId: string
  issuer: string
  claims: ClaimRules
  verifyToken: VerifyToken
  /** For the built-in issuer: whether a JWT's grant still stands. */
  checkGrant?: CheckGrant
  /** Absent when opaque tokens are not accepted. */
  checkOpaqueToken: CheckOpaqueToken | undefined
  tokens: AccessTokens
  proxyIdentity: ProxyIdentity
  recorder: IdentityRecorder
}

/** What a request authenticated with: `webSessionId` names the web
 * sign-in a cookie rides on (the stored hash), `tokenId` the personal
 * access token. */
export type Credential =
  | { kind: 'cookie'; webSessionId: string }
  | { kind: 'access-token'; tokenId: string }
  | { kind: 'issuer-token' }
  | { kind: 'proxy' }

export type Authenticate = (request: IncomingMessage) => Promise<Actor>

export interface Authenticator {
  authenticate: Authenticate
  /** The credential `authenticate` accepted for this request. */
  credentialOf(request: IncomingMessage): Credential | undefined
}

export function createAuthenticator(
  options: AuthenticatorOptions,
): Authenticator {
  const { db, workspaceId, issuer, claims, tokens, recorder } = Object.freeze({
    ...options,
  })
  const credentials = new WeakMap<IncomingMessage, Credential>()

  async function fromBearer(token: string): Promise<[Actor, Credential]> {
    if (isAccessToken(token)) {
      const { user, tokenId } = await tokens.check(token)
      return [actorOf(user), { kind: 'access-token', tokenId }]
    }

    let payload: Record<string, unknown>
    if (looksLikeJwt(token)) {
      const claims = await options.verifyToken(token)
      await options.checkGrant?.(claims)
      payload = claims
    } else if (options.checkOpaqueToken !== undefined) {
      payload = await options.checkOpaqueToken(token)
    } else {
      throw new OmniError('token_invalid')
    }
    const identity = identityFromClaims(issuer, payload, claims)
    const user = await recorder.seen(identity, 'token')
    return [actorOf(user), { kind: 'issuer-token' }]
  }

  async function fromCookie(token: string): Promise<[Actor, Credential]> {
    const session = await findLiveWebSession(db, workspaceId, token)
    if (session === undefined) throw new OmniError('unauthenticated')

    const user = await getUserById(db, workspaceId, session.user_id)
    if (user === undefined) throw new OmniError('unauthenticated')
    return [actorOf(user), { kind: 'cookie', webSessionId: session.id }]
  }

  async function resolve(
    request: IncomingMessage,
  ): Promise<[Actor, Credential]> {
    const proxied = options.proxyIdentity(request)
    if (proxied !== undefined) {
      const user = await recorder.seen(proxied, 'web')
      return [actorOf(user), { kind: 'proxy' }]
    }

    const bearer = bearerToken(request.headers.authorization)
    if (bearer !== undefined) return await fromBearer(bearer)

    const token = readCookie(request.headers.cookie, sessionCookie)
    if (token) return await fromCookie(token)

    throw new OmniError('unauthenticated')
  }

  return Object.freeze({
    async authenticate(request: IncomingMessage): Promise<Actor> {
      const [actor, credential] = await resolve(request)
      credentials.set(request, credential)
      return actor
    },
    credentialOf: (request: IncomingMessage) => credentials.get(request),
  })
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
