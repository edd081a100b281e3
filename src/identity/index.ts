// Identity: who someone is, as the workspace says. This wires the built-in
// workspace (an OIDC provider with its own directory), the web sign-in
// relying party, bearer-token verification and the authenticator that every
// entry point asks.

import type { FastifyInstance } from 'fastify'
import type { IncomingMessage } from 'node:http'
import type { Actor } from '../access/policy.ts'
import type { Logger } from '../core/log.ts'
import type { Storage } from '../storage/database.ts'
import { createAuthenticator } from './authenticator.ts'
import {
  adminGroup,
  apiAudience,
  builtinIssuer,
  cliClientId,
  createBuiltinProvider,
  webClientId,
} from './builtin-provider.ts'
import { isDirectoryEmpty } from './directory.ts'
import { firstAdminCreator } from './first-admin.ts'
import { identityLog } from './identity-log.ts'
import { interactionRoutes } from './interaction-routes.ts'
import { lazyIssuerClient } from './issuer-client.ts'
import { loadProviderSecrets, publicKeys } from './provider-secrets.ts'
import { providerRoutes } from './provider-mount.ts'
import { setupRoutes } from './setup-routes.ts'
import { createTokenVerifier, localKeys } from './token-verifier.ts'
import { webSignInRoutes } from './web-sign-in.ts'

export interface IdentityOptions {
  storage: Storage
  workspaceId: string
  /** The server's public origin, e.g. `https://omni.example.com`. */
  publicUrl: string
  log: Logger
}

export interface Identity {
  issuer: string
  cliClientId: string
  builtin: boolean
  authenticate(req: IncomingMessage): Promise<Actor>
  register(app: FastifyInstance): Promise<void>
  isDirectoryEmpty(): Promise<boolean>
}

export async function createIdentity(
  options: IdentityOptions,
): Promise<Identity> {
  const { storage, workspaceId } = checkOptions(options)
  const log = identityLog(options.log)
  const publicUrl = canonicalPublicUrl(options.publicUrl)
  const { db } = storage
  const issuer = builtinIssuer(publicUrl)

  const secrets = await loadProviderSecrets(db, workspaceId)
  const provider = createBuiltinProvider({
    db,
    workspaceId,
    publicUrl,
    secrets,
  })
  provider.on('server_error', (_ctx, error) => log.providerFault(error))

  const verifyToken = createTokenVerifier({
    issuer,
    audience: apiAudience(publicUrl),
    keys: localKeys(publicKeys(secrets.jwks)),
  })
  const authenticate = createAuthenticator({
    db,
    workspaceId,
    issuer,
    adminGroup,
    verifyToken,
  })
  const issuerClient = lazyIssuerClient({
    issuer,
    clientId: webClientId,
    clientSecret: secrets.webClientSecret,
    allowHttp: true,
  })
  const createFirstAdmin = firstAdminCreator(db, workspaceId)

  async function register(app: FastifyInstance): Promise<void> {
    await app.register(providerRoutes(provider, publicUrl))
    await app.register(
      interactionRoutes({ provider, db, workspaceId, createFirstAdmin, log }),
    )
    await app.register(
      webSignInRoutes({
        db,
        workspaceId,
        publicUrl,
        issuer,
        issuerClient,
        scope: 'openid email',
        adminGroup,
        log,
      }),
    )
    await app.register(
      setupRoutes({ db, workspaceId, authenticate, createFirstAdmin, log }),
    )
  }

  return Object.freeze({
    issuer,
    cliClientId,
    builtin: true,
    authenticate,
    register,
    isDirectoryEmpty: () => isDirectoryEmpty(db, workspaceId),
  })
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

export type { Actor }
export { sessionCookie } from './web-sign-in.ts'
export { identityFromClaims } from './identity-claims.ts'
