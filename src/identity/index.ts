// Identity: who someone is, as the workspace says. This wires the built-in
// workspace (an OIDC provider with its own directory), the web sign-in
// relying party, bearer-token verification and the authenticator that every
// entry point asks.

import type { FastifyInstance } from 'fastify'
import type { IncomingMessage } from 'node:http'
import type Provider from 'oidc-provider'
import type { Actor } from '../access/policy.ts'
import type { Logger } from '../core/log.ts'
import type { Storage } from '../storage/database.ts'
import { accessTokens } from './access-tokens.ts'
import { createAuthenticator, type Credential } from './authenticator.ts'
import {
  apiAudience,
  builtinIssuer,
  cliClientId,
  createBuiltinProvider,
  webClientId,
} from './builtin-provider.ts'
import { isDirectoryEmpty } from './directory.ts'
import { firstAdminCreator } from './first-admin.ts'
import { createGrantCheck, type CheckGrant } from './grant-check.ts'
import { standardClaimRules } from './identity-claims.ts'
import { cliSignInRoutes } from './cli-sign-in-routes.ts'
import { builtinIdentity, type IdentityConfig } from './identity-config.ts'
import { identityLog, type IdentityLog } from './identity-log.ts'
import { interactionRoutes } from './interaction-routes.ts'
import {
  builtinSignOut,
  externalSignOut,
  type IssuerSignOut,
} from './issuer-sign-out.ts'
import { lazyIssuerClient, type IssuerClient } from './issuer-client.ts'
import { loadProviderSecrets, publicKeys } from './provider-secrets.ts'
import { providerRoutes } from './provider-mount.ts'
import { createProxyIdentity } from './proxy-identity.ts'
import { setupRoutes } from './setup-routes.ts'
import { createIdentityRecorder } from './sign-in-record.ts'
import { createTokenVerifier, localKeys, remoteKeys } from './token-verifier.ts'
import { tokenRoutes } from './token-routes.ts'
import { createUserinfoCheck } from './userinfo-check.ts'
import { webSignInRoutes } from './web-sign-in.ts'

export interface IdentityOptions {
  storage: Storage
  workspaceId: string
  /** The server's public origin, e.g. `https://omni.example.com`. */
  publicUrl: string
  log: Logger
  /** Which issuer to trust; the built-in workspace when absent. */
  config?: IdentityConfig
  /** Called when web sessions end: one on sign-out (with its stored id,
   * the cookie token's hash), all of the user's on sign-out everywhere
   * (without one), so the server can close the streams they opened. */
  onSignOut?: (userId: string, webSessionId?: string) => void
  /** Called when a personal access token is revoked, so the server can
   * close the streams and tunnels it opened. */
  onAccessTokenRevoked?: (tokenId: string) => void
}

export interface Identity {
  issuer: string
  cliClientId: string
  builtin: boolean
  authenticate(req: IncomingMessage): Promise<Actor>
  /** The credential `authenticate` accepted for this request. */
  credentialOf(req: IncomingMessage): Credential | undefined
  register(app: FastifyInstance): Promise<void>
  isDirectoryEmpty(): Promise<boolean>
}

/** The parts that differ between the built-in workspace and an external
 * issuer; everything else is the same code. */
interface IssuerSide {
  issuer: string
  cliClientId: string
  issuerClient: IssuerClient
  verifyToken: ReturnType<typeof createTokenVerifier>
  /** Only the built-in provider's grants can be looked up. */
  checkGrant?: CheckGrant
  signOut: IssuerSignOut
  scope: string
  builtin?: { provider: Provider }
}

export async function createIdentity(
  options: IdentityOptions,
): Promise<Identity> {
  const { storage, workspaceId } = checkOptions(options)
  const config = options.config ?? builtinIdentity
  const log = identityLog(options.log)
  const publicUrl = canonicalPublicUrl(options.publicUrl)
  const { db } = storage

  const side =
    config.external === undefined
      ? await builtinSide(options, config, publicUrl, log)
      : externalSide(config.external, publicUrl)
  const claims = config.external?.claims ?? standardClaimRules
  const { issuer, issuerClient } = side

  const tokens = accessTokens(db, workspaceId)
  const recorder = createIdentityRecorder({ db, workspaceId })
  const proxyIdentity = createProxyIdentity(config.proxy, publicUrl)
  const authenticator = createAuthenticator({
    db,
    workspaceId,
    issuer,
    claims,
    verifyToken: side.verifyToken,
    ...(side.checkGrant ? { checkGrant: side.checkGrant } : {}),
    checkOpaqueToken: createUserinfoCheck({
      endpoint: async () =>
        (await issuerClient()).serverMetadata().userinfo_endpoint,
    }),
    tokens,
    proxyIdentity,
    recorder,
  })
  const createFirstAdmin = firstAdminCreator(db, workspaceId)

  async function register(app: FastifyInstance): Promise<void> {
    const builtin = side.builtin
    if (builtin !== undefined) {
      await app.register(providerRoutes(builtin.provider, publicUrl))
      await app.register(
        interactionRoutes({
          provider: builtin.provider,
          publicUrl,
          db,
          workspaceId,
          createFirstAdmin,
          log,
        }),
      )
    }
    await app.register(
      webSignInRoutes({
        db,
        workspaceId,
        publicUrl,
        issuer,
        issuerClient,
        scope: side.scope,
        claims,
        recorder,
        proxyIdentity,
        issuerSignOut: side.signOut,
        log,
        ...(options.onSignOut ? { onSignOut: options.onSignOut } : {}),
      }),
    )
    await app.register(
      setupRoutes({
        db,
        workspaceId,
        builtin: builtin !== undefined,
        authenticate: authenticator.authenticate,
        createFirstAdmin,
        log,
      }),
    )
    await app.register(cliSignInRoutes({ db, workspaceId, authenticator, log }))
    await app.register(
      tokenRoutes({
        db,
        workspaceId,
        authenticator,
        tokens,
        log,
        ...(options.onAccessTokenRevoked
          ? { onRevoked: options.onAccessTokenRevoked }
          : {}),
      }),
    )
  }

  return Object.freeze({
    issuer,
    cliClientId: side.cliClientId,
    builtin: side.builtin !== undefined,
    authenticate: authenticator.authenticate,
    credentialOf: authenticator.credentialOf,
    register,
    isDirectoryEmpty: () => isDirectoryEmpty(db, workspaceId),
  })
}

/** The built-in workspace: the provider at `${publicUrl}/oidc`, whose keys
 * the verifier holds locally, and the relying party pointed at it. */
async function builtinSide(
  options: IdentityOptions,
  config: IdentityConfig,
  publicUrl: string,
  log: IdentityLog,
): Promise<IssuerSide> {
  const { storage, workspaceId } = options
  const issuer = builtinIssuer(publicUrl)
  const secrets = await loadProviderSecrets(storage.db, workspaceId)
  const provider = createBuiltinProvider({
    db: storage.db,
    workspaceId,
    publicUrl,
    secrets,
    extraClients: config.builtinClients,
  })
  provider.on('server_error', (_ctx, error) => log.providerFault(error))

  return {
    issuer,
    cliClientId,
    issuerClient: lazyIssuerClient({
      issuer,
      clientId: webClientId,
      clientSecret: secrets.webClientSecret,
      allowHttp: true,
    }),
    verifyToken: createTokenVerifier({
      issuer,
      audience: apiAudience(publicUrl),
      keys: localKeys(publicKeys(secrets.jwks)),
    }),
    checkGrant: createGrantCheck(storage.db),
    signOut: builtinSignOut({
      provider,
      db: storage.db,
      webClientId,
      secure: publicUrl.startsWith('https:'),
    }),
    scope: 'openid email',
    builtin: { provider },
  }
}

/** An external issuer, found by discovery; its keys come from its
 * `jwks_uri` and are fetched again when an unknown key id appears. */
function externalSide(
  external: NonNullable<IdentityConfig['external']>,
  publicUrl: string,
): IssuerSide {
  const issuerClient = lazyIssuerClient({
    issuer: external.issuer,
    clientId: external.clientId,
    clientSecret: external.clientSecret,
  })
  const jwksUri = async () => {
    const uri = (await issuerClient()).serverMetadata().jwks_uri
    if (uri === undefined) throw new Error('the issuer publishes no jwks_uri')
    return uri
  }

  return {
    issuer: external.issuer,
    cliClientId: external.cliClientId,
    issuerClient,
    verifyToken: createTokenVerifier({
      issuer: external.issuer,
      audience: external.apiAudience,
      keys: remoteKeys(jwksUri),
    }),
    signOut: externalSignOut({ issuerClient, publicUrl }),
    scope: external.scopes.join(' '),
  }
}

function checkOptions(options: IdentityOptions): IdentityOptions {
  if (typeof options?.storage?.db !== 'object') {
    throw new TypeError('createIdentity: storage must be an open Storage')
  }
  if (typeof options.workspaceId !== 'string' || options.workspaceId === '') {
    throw new TypeError(
      'createIdentity: workspaceId must be a non-empty string',
    )
  }
  if (typeof options.log?.info !== 'function') {
    throw new TypeError('createIdentity: log must be a Logger')
  }
  return options
}

/** An absolute http(s) origin with no path, query or fragment; a single
 * trailing slash is dropped. */
function canonicalPublicUrl(value: unknown): string {
  const problem =
    'createIdentity: publicUrl must be an absolute http(s) URL with no path'
  if (typeof value !== 'string') throw new TypeError(problem)

  const url = URL.parse(value)
  if (url === null) throw new TypeError(problem)
  const httpish = url.protocol === 'http:' || url.protocol === 'https:'
  const bare = url.pathname === '/' && !url.search && !url.hash
  if (!httpish || !bare || url.username || url.password) {
    throw new TypeError(problem)
  }
  return url.origin
}

export type { Actor, Credential, IdentityConfig }
export { sessionCookie } from './web-sign-in.ts'
export { identityFromClaims } from './identity-claims.ts'
export {
  redactedIdentityConfig,
  resolveIdentityConfig,
  identitySections,
} from './identity-config.ts'
