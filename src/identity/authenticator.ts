// Who is asking: every HTTP route, WebSocket upgrade and MCP call resolves
// its caller here. In order: identity headers from the trusted proxy, a
// bearer token (a personal access token, the issuer's JWT, or an opaque
// token the issuer's userinfo vouches for), else the web session cookie.
// It works on a raw IncomingMessage so upgrades can use it too.

import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Kysely } from 'kysely'
import type { Actor } from '../access/policy.ts'
import type { SignInMethod } from '../access/sign-in-audit.ts'
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
  /** A sign-in the CLI just completed at the issuer, proved by the
   * issuer's access token it got: recorded as a sign-in by `method`, once
   * per token. Any other credential is refused. */
  signIn(
    request: IncomingMessage,
    method: Extract<SignInMethod, 'cli' | 'device'>,
  ): Promise<Actor>
}

// Reported tokens are remembered in memory, the newest this many. After a
// restart, or once pushed out, a token still in its short life could report
// again: at worst one more entry about its own holder, never about another.
const reportedTokensKept = 10_000

export function createAuthenticator(
  options: AuthenticatorOptions,
): Authenticator {
  const { db, workspaceId, issuer, claims, tokens, recorder } = Object.freeze({
    ...options,
  })
  const credentials = new WeakMap<IncomingMessage, Credential>()

  const reported = new Set<string>()

  async function fromBearer(token: string): Promise<[Actor, Credential]> {
    if (isAccessToken(token)) {
      const { user, tokenId } = await tokens.check(token)
      return [actorOf(user), { kind: 'access-token', tokenId }]
    }

    const identity = await issuerIdentity(token)
    const user = await recorder.seen(identity, 'token')
    return [actorOf(user), { kind: 'issuer-token' }]
  }

  async function issuerIdentity(token: string) {
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
    return identityFromClaims(issuer, payload, claims)
  }

  // Recorded with `recorder.signIn`, never `seen`: a first-ever sign-in
  // is then one entry with its method, not a plain token use as well.
  async function signIn(
    request: IncomingMessage,
    method: Extract<SignInMethod, 'cli' | 'device'>,
  ): Promise<Actor> {
    const token = bearerToken(request.headers.authorization)
    if (token === undefined) throw new OmniError('unauthenticated')
    if (isAccessToken(token)) {
      throw new OmniError(
        'invalid_input',
        'A personal access token is not a sign-in; only a token from the workspace sign-in is.',
      )
    }

    const identity = await issuerIdentity(token)
    const first = remember(
      createHash('sha256').update(token).digest('base64url'),
    )
    const user = first
      ? await recorder.signIn(identity, method)
      : await recorder.seen(identity, 'token')
    credentials.set(request, { kind: 'issuer-token' })
    return actorOf(user)
  }

  /** Whether this token's report is its first. */
  function remember(key: string): boolean {
    if (reported.has(key)) return false
    reported.add(key)
    while (reported.size > reportedTokensKept) {
      const oldest = reported.values().next().value
      if (oldest === undefined) break
      reported.delete(oldest)
    }
    return true
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
    signIn,
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
