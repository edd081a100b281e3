// The built-in workspace: a standards-compliant OpenID Provider from
// oidc-provider, issuing for `${publicUrl}/oidc`. Every access token is a
// JWT for the Omnigent API (RFC 9068) carrying email and groups, so the
// server verifies it exactly as it would an external issuer's.

import type { Kysely } from 'kysely'
import Provider, {
  type ClientMetadata,
  type Configuration,
} from 'oidc-provider'
import type { Database } from '../storage/schema.ts'
import { getDirectoryUser } from './directory.ts'
import { grantClaim } from './grant-check.ts'
import type { StaticClient } from './identity-config.ts'
import { createPayloadAdapter } from './provider-adapter.ts'
import * as pages from './provider-pages.ts'
import { signingAlg, type ProviderSecrets } from './provider-secrets.ts'

export const webClientId = 'omnigent-web'
export const cliClientId = 'omnigent-cli'
export const adminGroup = 'admins'
export const deviceCodeGrant = 'urn:ietf:params:oauth:grant-type:device_code'

export interface BuiltinProviderOptions {
  db: Kysely<Database>
  workspaceId: string
  publicUrl: string
  secrets: ProviderSecrets
  /** More registered clients, for deployments that sign other relying
   * parties in (and for tests that use this provider as an external one). */
  extraClients?: StaticClient[]
}

const minute = 60
const day = 24 * 60 * minute

export function builtinIssuer(publicUrl: string): string {
  return `${publicUrl}/oidc`
}

export function apiAudience(publicUrl: string): string {
  return `${publicUrl}/api`
}

export function interactionPath(uid: string): string {
  return `/oidc/interaction/${encodeURIComponent(uid)}`
}

export function createBuiltinProvider(
  options: BuiltinProviderOptions,
): Provider {
  const { db, workspaceId, publicUrl, secrets } = options
  const audience = apiAudience(publicUrl)
  const extraClients = options.extraClients ?? []
  const opaqueClients = new Set(
    extraClients
      .filter((client) => client.opaqueAccessTokens)
      .map((client) => client.clientId),
  )

  const groupsOf = (isAdmin: number): string[] => (isAdmin ? [adminGroup] : [])

  const configuration: Configuration = {
    adapter: createPayloadAdapter(db),
    jwks: secrets.jwks as Configuration['jwks'],
    cookies: {
      keys: secrets.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    clients: [
      {
        client_id: webClientId,
        client_secret: secrets.webClientSecret,
        client_name: 'Omnigent',
        redirect_uris: [`${publicUrl}/auth/callback`],
        post_logout_redirect_uris: [`${publicUrl}/`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: cliClientId,
        client_name: 'Omnigent CLI',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        // RFC 8252 §7.3: oidc-provider lets a native client's loopback
        // redirect use any port, so one registered URI covers them all.
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token', deviceCodeGrant],
        response_types: ['code'],
      },
      ...extraClients.map((client): ClientMetadata => ({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: client.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      })),
    ],
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'offline_access'],
    // `groups` rides on `openid` so every sign-in learns the admin flag.
    claims: {
      openid: ['sub', 'groups'],
      email: ['email', 'email_verified'],
    },
    async findAccount(_ctx, sub) {
      const user = await getDirectoryUser(db, workspaceId, sub)
      if (user === undefined) return undefined
      return {
        accountId: user.id,
        claims: () => ({
          sub: user.id,
          email: user.email,
          email_verified: true,
          groups: groupsOf(user.is_admin),
        }),
      }
    },
    async extraTokenClaims(_ctx, token) {
      // Client-credentials tokens have no account; this server issues none.
      if (!('accountId' in token)) return undefined
      const user = await getDirectoryUser(db, workspaceId, token.accountId)
      if (user === undefined) return undefined
      return {
        email: user.email,
        email_verified: true,
        groups: groupsOf(user.is_admin),
        // So the API can refuse the token once its grant is revoked.
        [grantClaim]: token.grantId,
      }
    },
    interactions: {
      // Absolute on the public URL, like every redirect Omnigent makes.
      url: (_ctx, interaction) =>
        `${publicUrl}${interactionPath(interaction.uid)}`,
    },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: pages.userCodeInputSource,
        userCodeConfirmSource: pages.userCodeConfirmSource,
        successSource: pages.deviceSuccessSource,
      },
      revocation: {
        enabled: true,
        // A client revokes only its own tokens (RFC 7009 §2.1).
        allowedPolicy: (_ctx, client, token) =>
          token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: pages.logoutSource,
        postLogoutSuccessSource: pages.postLogoutSuccessSource,
      },
      resourceIndicators: {
        enabled: true,
        // Every client gets tokens for the API, asked for or not (RFC 8707),
        // except one registered for opaque tokens: with no resource, its
        // tokens are for userinfo and opaque.
        defaultResource: (_ctx, client) =>
          client !== undefined && opaqueClients.has(client.clientId)
            ? undefined
            : audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 15 * minute,
          scope: 'openid email profile offline_access',
          jwt: { sign: { alg: signingAlg } },
        }),
      },
    },
    // Refresh tokens go to the CLI only, so `omni` stays signed in and
    // refreshes silently. oidc-provider drops `offline_access` from a code
    // request without prompt=consent (OpenID Connect Core §11), so the
    // CLI's refresh token does not depend on that scope surviving, nor on
    // the browser session that approved it.
    issueRefreshToken: (_ctx, client) =>
      client.clientId === cliClientId &&
      client.grantTypeAllowed('refresh_token'),
    expiresWithSession: (ctx, source) =>
      ctx.oidc.client?.clientId !== cliClientId &&
      !source.scopes.has('offline_access'),
    rotateRefreshToken: () => true,
    clientBasedCORS: () => false,
    renderError: pages.renderError,
    ttl: {
      AccessToken: 15 * minute,
      AuthorizationCode: minute,
      DeviceCode: 10 * minute,
      IdToken: 60 * minute,
      Interaction: 60 * minute,
      RefreshToken: 30 * day,
      Session: 14 * day,
      Grant: 365 * day,
    },
  }

  const provider = new Provider(builtinIssuer(publicUrl), configuration)
  // Endpoint URLs are built from forwarded headers that the mount pins to
  // publicUrl, so discovery always names the same origin as the issuer.
  provider.proxy = true
  return provider
}
