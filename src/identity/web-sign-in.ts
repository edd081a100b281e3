// The server's own web sign-in: an OpenID Connect relying party (openid-client)
// using the authorization code flow with PKCE, state and nonce, against the
// workspace issuer. A successful sign-in becomes a server-side web session
// named by the `omni_session` cookie.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import * as client from 'openid-client'
import { auditSignOut } from '../access/sign-in-audit.ts'
import { errorBody, isOmniError, OmniError } from '../core/errors.ts'
import type { SignedOut, SignedOutEverywhere } from '../protocol/api.ts'
import type { Database } from '../storage/schema.ts'
import { getUserById } from '../storage/user-store.ts'
import { readCookie, sessionSetCookie } from './cookie-header.ts'
import { html, page } from './html.ts'
import { refuseCrossSite } from './cross-site.ts'
import { identityFromClaims, type ClaimRules } from './identity-claims.ts'
import type { IdentityLog } from './identity-log.ts'
import type { IssuerSignedOut, IssuerSignOut } from './issuer-sign-out.ts'
import type { IssuerClient } from './issuer-client.ts'
import { saveLoginState, takeLoginState } from './login-state-store.ts'
import type { ProxyIdentity } from './proxy-identity.ts'
import { safeReturnTo } from './return-to.ts'
import { actorOf, type IdentityRecorder } from './sign-in-record.ts'
import {
  createWebSession,
  findLiveWebSession,
  hashSessionToken,
  revokeAllWebSessions,
  revokeWebSession,
  webSessionTtlMs,
} from './web-session-store.ts'

export const sessionCookie = 'omni_session'

export interface WebSignInOptions {
  db: Kysely<Database>
  workspaceId: string
  publicUrl: string
  issuer: string
  issuerClient: IssuerClient
  scope: string
  claims: ClaimRules
  recorder: IdentityRecorder
  proxyIdentity: ProxyIdentity
  /** Ends the workspace's own sign-in along with Omnigent's. */
  issuerSignOut?: IssuerSignOut
  log: IdentityLog
  /** Told when web sessions end: one (with its stored id) on sign-out,
   * all of the user's (without one) on sign-out everywhere. */
  onSignOut?: (userId: string, webSessionId?: string) => void
}

export function webSignInRoutes(options: WebSignInOptions) {
  const { db, workspaceId, publicUrl, issuer, issuerClient, log } = options
  const publicOrigin = new URL(publicUrl).origin
  const secure = new URL(publicUrl).protocol === 'https:'
  // Every Location is absolute on the public URL, never built from Host or
  // X-Forwarded-Host, which a client controls.
  const here = (path: string) => `${publicUrl}${path}`
  const redirectUri = `${publicUrl}/auth/callback`

  const cookie = (value: string, maxAgeMs: number): string =>
    sessionSetCookie(sessionCookie, value, {
      maxAgeSeconds: maxAgeMs / 1000,
      secure,
    })

  async function login(request: FastifyRequest, reply: FastifyReply) {
    const query = request.query as Record<string, unknown>
    const returnTo = safeReturnTo(query.returnTo)
    // Behind the trusted proxy the person is signed in already.
    if (options.proxyIdentity(request.raw) !== undefined) {
      return reply.redirect(here(returnTo), 303)
    }

    let config: client.Configuration
    try {
      config = await issuerClient()
    } catch (error) {
      log.issuerUnreachable(issuer, error)
      return failure(reply, 503, 'The workspace sign-in is not reachable now.')
    }

    const login = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      returnTo,
    }
    await saveLoginState(db, workspaceId, login)

    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: options.scope,
      state: login.state,
      nonce: login.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(
        login.codeVerifier,
      ),
      code_challenge_method: 'S256',
    })
    return reply.header('cache-control', 'no-store').redirect(url.href, 302)
  }

  async function callback(request: FastifyRequest, reply: FastifyReply) {
    const query = request.query as Record<string, unknown>
    const state = typeof query.state === 'string' ? query.state : ''
    const login = state
      ? await takeLoginState(db, workspaceId, state)
      : undefined
    if (login === undefined) {
      log.webSignInRefused('unknown_state')
      return failure(
        reply,
        400,
        'This sign-in link was already used or has expired.',
      )
    }

    let claims: Record<string, unknown>
    try {
      const config = await issuerClient()
      const currentUrl = new URL(request.url, publicUrl)
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      })
      claims = await withUserinfo(config, tokens, options.claims)
    } catch (error) {
      log.webSignInRefused(describe(error))
      return failure(reply, 400, 'The workspace did not complete the sign-in.')
    }

    try {
      const identity = identityFromClaims(issuer, claims, options.claims)
      const user = await options.recorder.signIn(identity, 'web')
      const token = await createWebSession(db, workspaceId, user.id)
      log.webSignInCompleted(user.id)

      return reply
        .header('set-cookie', cookie(token, webSessionTtlMs))
        .header('cache-control', 'no-store')
        .redirect(here(login.returnTo), 303)
    } catch (error) {
      if (!isOmniError(error)) throw error
      log.webSignInRefused(error.code)
      return failure(reply, error.status, error.message)
    }
  }

  async function logout(request: FastifyRequest, reply: FastifyReply) {
    const cookies = request.headers.cookie
    // Any cookie here may end a sign-in, Omnigent's or the workspace's.
    if (cookies) {
      refuseCrossSite(request.headers, publicOrigin, { requireOrigin: true })
    }

    const token = readCookie(cookies, sessionCookie)
    if (token) {
      const userId = await revokeWebSession(db, workspaceId, token)
      if (userId) {
        options.onSignOut?.(userId, hashSessionToken(token))
        await auditWebSignOut(userId, 'web')
        log.signedOut(userId, 'web')
      }
    }
    const issuerSide = cookies
      ? await options.issuerSignOut?.thisBrowser(cookies)
      : undefined

    return signedOut(request, reply, issuerSide)
  }

  async function logoutEverywhere(
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const cookies = request.headers.cookie
    const token = readCookie(cookies, sessionCookie)
    const session = token
      ? await findLiveWebSession(db, workspaceId, token)
      : undefined
    if (session === undefined) {
      return reply.status(401).send(errorBody(new OmniError('unauthenticated')))
    }
    refuseCrossSite(request.headers, publicOrigin, { requireOrigin: true })

    const ended = await revokeAllWebSessions(db, workspaceId, session.user_id)
    options.onSignOut?.(session.user_id)
    const user = await auditWebSignOut(session.user_id, 'everywhere', {
      webSessionsEnded: ended,
    })
    log.signedOutEverywhere(session.user_id, ended)

    const issuerSide =
      user?.issuer === issuer
        ? await options.issuerSignOut?.everywhere(user.subject, cookies)
        : await options.issuerSignOut?.thisBrowser(cookies)
    return signedOut(request, reply, issuerSide, { webSessionsEnded: ended })
  }

  /** Notes the sign-out on the trail, as the person whose web session the
   * cookie named; returns their user row. */
  async function auditWebSignOut(
    userId: string,
    method: 'web' | 'everywhere',
    detail?: Record<string, unknown>,
  ) {
    const user = await getUserById(db, workspaceId, userId)
    if (user !== undefined) {
      await auditSignOut(db, workspaceId, actorOf(user), method, detail)
    }
    return user
  }

  // A form post navigates; a script's fetch just needs the status, and the
  // issuer's end-session URL when the app must go there next.
  function signedOut(
    request: FastifyRequest,
    reply: FastifyReply,
    issuerSide: IssuerSignedOut | undefined,
    body?: SignedOutEverywhere,
  ) {
    const next = issuerSide?.redirectTo
    reply.header('set-cookie', [cookie('', 0), ...(issuerSide?.cookies ?? [])])

    const wantsPage = (request.headers.accept ?? '').includes('text/html')
    if (wantsPage) return reply.redirect(next ?? here('/'), 303)
    const answer: SignedOut = next ? { ...body, signOutUrl: next } : { ...body }
    if (Object.keys(answer).length === 0) return reply.status(204).send()
    return reply.status(200).send(answer)
  }

  return async function webSignIn(app: FastifyInstance): Promise<void> {
    // Logout takes no body; accept whatever a form or fetch sends.
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (_request, _payload, done) => done(null))
    app.setErrorHandler((error, _request, reply) => {
      if (isOmniError(error)) {
        return reply.status(error.status).send(errorBody(error))
      }
      log.webSignInFault(error)
      return failure(reply, 500, 'Something went wrong on the server.')
    })

    app.get('/auth/login', login)
    app.get('/auth/callback', callback)
    app.post('/auth/logout', logout)
    app.post('/auth/logout-everywhere', logoutEverywhere)
  }
}

/** The ID token's claims, completed from userinfo (OpenID Connect Core
 * §5.3) when the email or groups claim is missing: several issuers put
 * only `sub` in the ID token unless asked otherwise. */
async function withUserinfo(
  config: client.Configuration,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  rules: ClaimRules,
): Promise<Record<string, unknown>> {
  const claims: Record<string, unknown> = { ...(tokens.claims() ?? {}) }
  const complete =
    claims[rules.emailClaim] !== undefined &&
    claims[rules.groupsClaim] !== undefined
  const endpoint = config.serverMetadata().userinfo_endpoint
  if (complete || endpoint === undefined || typeof claims.sub !== 'string') {
    return claims
  }

  const userinfo = await client.fetchUserInfo(
    config,
    tokens.access_token,
    claims.sub,
  )
  return { ...userinfo, ...claims }
}

function failure(reply: FastifyReply, status: number, message: string) {
  const body = page(
    'Sign-in failed',
    html`<h1>Sign-in failed</h1>
      <p class="error">${message}</p>
      <p><a href="/auth/login">Sign in again</a></p>`,
  )
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(body)
}

/** A short, secret-free reason for the log: an OAuth error code or the
 * library's error code, never a message that might quote a response. */
function describe(error: unknown): string {
  if (error instanceof client.AuthorizationResponseError) return error.error
  if (error instanceof client.ResponseBodyError) return error.error
  if (error instanceof Error && 'code' in error) return String(error.code)
  return 'unknown'
}
