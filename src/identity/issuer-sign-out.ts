// Signing out of Omnigent also signs out of the workspace, or "Sign out" on
// a shared browser would not sign anyone out: the issuer's own session would
// sign the next person who presses Sign in straight back in.
//
// The built-in workspace runs on the same origin, so its session ends right
// here: its Session record is destroyed (a copied cookie then names nothing)
// and its cookies are expired in the same response, which works for a
// script's fetch as well as for a form post. The web client's grant goes
// with it; the CLI's grants stay, so a terminal stays signed in. An external
// issuer's session can only end at the issuer, so the browser is sent to its
// end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0 §2), when it
// publishes one, to come back to the public URL.

import type { Kysely } from 'kysely'
import type Provider from 'oidc-provider'
import * as client from 'openid-client'
import { oidcPayloadKey } from '../storage/oidc-payload-key.ts'
import type { Database } from '../storage/schema.ts'
import { readCookie, sessionSetCookie } from './cookie-header.ts'
import type { IssuerClient } from './issuer-client.ts'

export interface IssuerSignedOut {
  /** Set-Cookie lines that remove the issuer's cookies. */
  cookies: string[]
  /** Where the browser goes to end the issuer's session, if elsewhere. */
  redirectTo?: string
}

export interface IssuerSignOut {
  /** Ends the issuer's session of the browser that sent `cookieHeader`. */
  thisBrowser(cookieHeader: string | undefined): Promise<IssuerSignedOut>
  /** Ends every issuer session of the person with this subject, and this
   * browser's. */
  everywhere(
    subject: string,
    cookieHeader: string | undefined,
  ): Promise<IssuerSignedOut>
}

export interface BuiltinSignOutOptions {
  provider: Provider
  db: Kysely<Database>
  /** The Omnigent web client, whose grant ends with the session. */
  webClientId: string
  secure: boolean
}

export function builtinSignOut(options: BuiltinSignOutOptions): IssuerSignOut {
  const { provider, db, webClientId, secure } = Object.freeze({ ...options })
  const sessionCookie = provider.cookieName('session')
  // oidc-provider signs its cookies, so each comes with a `.sig` twin.
  const expired = [sessionCookie, `${sessionCookie}.sig`].map((name) =>
    sessionSetCookie(name, '', { maxAgeSeconds: 0, secure }),
  )

  async function endGrant(grantId: unknown): Promise<void> {
    if (typeof grantId !== 'string') return
    await db
      .deleteFrom('oidc_payloads')
      .where('model', '=', 'Grant')
      .where('id', '=', oidcPayloadKey(grantId))
      .execute()
  }

  async function thisBrowser(cookieHeader: string | undefined) {
    const id = readCookie(cookieHeader, sessionCookie)
    const session = id ? await provider.Session.find(id) : undefined
    if (session !== undefined) {
      await endGrant(session.grantIdFor(webClientId))
      await session.destroy()
    }
    return { cookies: expired }
  }

  async function everywhere(subject: string, cookieHeader: string | undefined) {
    const signedOut = await thisBrowser(cookieHeader)

    // Sessions are keyed by their cookie's hash, not by person; the account
    // id in the payload narrows the scan and parsing confirms each match.
    const rows = await db
      .selectFrom('oidc_payloads')
      .select(['id', 'payload'])
      .where('model', '=', 'Session')
      .where('payload', 'like', `%"accountId":${JSON.stringify(subject)}%`)
      .execute()
    for (const row of rows) {
      const payload = JSON.parse(row.payload) as SessionPayload
      if (payload.accountId !== subject) continue
      await endGrant(payload.authorizations?.[webClientId]?.grantId)
      await db
        .deleteFrom('oidc_payloads')
        .where('model', '=', 'Session')
        .where('id', '=', row.id)
        .execute()
    }
    return signedOut
  }

  return Object.freeze({ thisBrowser, everywhere })
}

interface SessionPayload {
  accountId?: string
  authorizations?: Record<string, { grantId?: string }>
}

export interface ExternalSignOutOptions {
  issuerClient: IssuerClient
  publicUrl: string
}

export function externalSignOut(
  options: ExternalSignOutOptions,
): IssuerSignOut {
  const { issuerClient, publicUrl } = Object.freeze({ ...options })

  async function atIssuer(): Promise<IssuerSignedOut> {
    // An unreachable issuer must not stop the sign-out here.
    const config = await issuerClient().catch(() => undefined)
    if (config?.serverMetadata().end_session_endpoint === undefined) {
      return { cookies: [] }
    }
    const url = client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: `${publicUrl}/`,
    })
    return { cookies: [], redirectTo: url.href }
  }

  return Object.freeze({
    thisBrowser: atIssuer,
    everywhere: atIssuer,
  })
}
