// The server's own web sign-in: an OpenID Connect relying party (openid-client)
// using the authorization code flow with PKCE, state and nonce, against the
// workspace issuer. A successful sign-in becomes a server-side web session
// named by the `omni_session` cookie.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import * as client from 'openid-client'
import { isOmniError } from '../core/errors.ts'
import type { Database } from '../storage/schema.ts'
import { readCookie, sessionSetCookie } from './cookie-header.ts'
import { html, page } from './html.ts'
import { identityFromClaims } from './identity-claims.ts'
import type { IdentityLog } from './identity-log.ts'
import type { IssuerClient } from './issuer-client.ts'
import { saveLoginState, takeLoginState } from './login-state-store.ts'
import { safeReturnTo } from './return-to.ts'
import { recordIdentity } from './sign-in-record.ts'
import {
  createWebSession,
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
  adminGroup: string
  log: IdentityLog
}

export function webSignInRoutes(options: WebSignInOptions) {
  const { db, workspaceId, publicUrl, issuer, issuerClient, log } = options
  const secure = new URL(publicUrl).protocol === 'https:'
  const redirectUri = `${publicUrl}/auth/callback`

  const cookie = (value: string, maxAgeMs: number): string =>
    sessionSetCookie(sessionCookie, value, {
      maxAgeSeconds: maxAgeMs / 1000,
      secure,
    })

  async function login(request: FastifyRequest, reply: FastifyReply) {
    const query = request.query as Record<string, unknown>
    const returnTo = safeReturnTo(query.returnTo)
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
      claims = tokens.claims() ?? {}
    } catch (error) {
      log.webSignInRefused(describe(error))
      return failure(reply, 400, 'The workspace did not complete the sign-in.')
    }

    try {
      const identity = identityFromClaims(issuer, claims, options.adminGroup)
      const user = await recordIdentity(db, workspaceId, identity)
      const token = await createWebSession(db, workspaceId, user.id)
      log.webSignInCompleted(user.id)

      return reply
        .header('set-cookie', cookie(token, webSessionTtlMs))
        .header('cache-control', 'no-store')
        .redirect(login.returnTo, 303)
    } catch (error) {
      if (!isOmniError(error)) throw error
      log.webSignInRefused(error.code)
      return failure(reply, error.status, error.message)
    }
  }

  async function logout(request: FastifyRequest, reply: FastifyReply) {
    const token = readCookie(request.headers.cookie, sessionCookie)
    if (token) await revokeWebSession(db, workspaceId, token)

    reply.header('set-cookie', cookie('', 0))
    // A form post navigates; a script's fetch just needs the status.
    const wantsPage = (request.headers.accept ?? '').includes('text/html')
    return wantsPage ? reply.redirect('/', 303) : reply.status(204).send()
  }

  return async function webSignIn(app: FastifyInstance): Promise<void> {
    // Logout takes no body; accept whatever a form or fetch sends.
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (_request, _payload, done) => done(null))
    app.setErrorHandler((error, _request, reply) => {
      log.webSignInFault(error)
      return failure(reply, 500, 'Something went wrong on the server.')
    })

    app.get('/auth/login', login)
    app.get('/auth/callback', callback)
    app.post('/auth/logout', logout)
  }
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
