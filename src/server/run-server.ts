// Starts `omni server`: storage, the workspace's identity, the API, the
// WebSocket endpoints and the web app, on one port.

import { mkdirSync } from 'node:fs'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { errorCatalog } from '../core/errors.ts'
import { createLogger, type Logger } from '../core/log.ts'
import { createIdentity } from '../identity/index.ts'
import { registerMcpEndpoint } from '../mcp/mcp-endpoint.ts'
import { followCloseCodes } from '../protocol/follow.ts'
import { EventLog } from '../sessions/event-log.ts'
import { HostRegistry } from '../sessions/host-registry.ts'
import { LiveHub } from '../sessions/live-hub.ts'
import { SessionService } from '../sessions/session-service.ts'
import { SignOutNotifier } from '../sessions/sign-out-notifier.ts'
import {
  claimDatabase,
  openDatabase,
  type DatabaseClaim,
  type Storage,
} from '../storage/database.ts'
import { replyWithError } from './http-errors.ts'
import { installRouteAccess } from './route-access.ts'
import { registerAuditRoutes } from './routes/audit-routes.ts'
import { registerHostRoutes } from './routes/host-routes.ts'
import { registerSessionRoutes } from './routes/session-routes.ts'
import { registerWorkspaceRoutes } from './routes/workspace-routes.ts'
import {
  redactedConfig,
  resolveServerConfig,
  type ServerConfig,
  type ServerOptions,
} from './server-config.ts'
import { registerWebApp } from './web-app.ts'
import { WorkspaceState } from './workspace-state.ts'
import { FollowEndpoint } from './ws/follow-endpoint.ts'
import { HostTunnelEndpoint } from './ws/host-tunnel-endpoint.ts'
import { installUpgradeRouter } from './ws/upgrade-router.ts'

export type { ServerOptions }

export interface RunningServer {
  url: string
  /** The parts in-process tests and the benchmark look into. */
  app: FastifyInstance
  storage: Storage
  close(): Promise<void>
}

export async function runServer(
  options: ServerOptions & { log?: Logger },
): Promise<RunningServer> {
  const config = resolveServerConfig(options)
  const log = options.log ?? createLogger('omni-server')
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })

  // Claimed before anything is read, and given back if start-up fails, so
  // a failed start leaves the database to the next server.
  const claim = await claimDatabase(config.database, config.workspaceId)
  let storage: Storage | undefined
  try {
    storage = await openDatabase(config.database)
    return await serve(config, log, storage, claim)
  } catch (error) {
    await storage?.close()
    await claim.release()
    throw error
  }
}

async function serve(
  config: ServerConfig,
  log: Logger,
  storage: Storage,
  claim: DatabaseClaim,
): Promise<RunningServer> {
  const ws = config.workspaceId
  const workspace = await WorkspaceState.load(storage.db, ws)
  const signOuts = new SignOutNotifier()
  const identity = await createIdentity({
    storage,
    workspaceId: ws,
    publicUrl: config.publicUrl,
    log,
    config: config.identity,
    onSignOut: (userId, webSessionId) =>
      webSessionId === undefined
        ? signOuts.allWebSignInsEnded(userId)
        : signOuts.webSignInEnded(webSessionId),
    onAccessTokenRevoked: (tokenId) => signOuts.accessTokenRevoked(tokenId),
  })
  const authenticate = identity.authenticate.bind(identity)

  const hub = new LiveHub()
  const hosts = new HostRegistry()
  const events = new EventLog(storage.db, ws, hub)
  const sessions = new SessionService({
    db: storage.db,
    workspaceId: ws,
    events,
    hub,
    hosts,
  })

  const app: FastifyInstance = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    trustProxy: false,
    bodyLimit: 1 << 20,
  })
  app.setErrorHandler((error, request, reply) =>
    replyWithError(request, reply, error),
  )
  installRouteAccess(app, {
    authenticate,
    workspace,
    publicUrl: config.publicUrl,
  })

  await identity.register(app)
  registerWorkspaceRoutes(app, {
    storage,
    workspaceId: ws,
    workspace,
    discovery: async () => ({
      builtin: identity.builtin,
      issuer: identity.issuer,
      cliClientId: identity.cliClientId,
      needsSetup: identity.builtin && (await identity.isDirectoryEmpty()),
    }),
  })
  registerHostRoutes(app, { storage, workspaceId: ws, hosts })
  registerSessionRoutes(app, sessions)
  registerAuditRoutes(app, { storage, workspaceId: ws, sessions, workspace })
  registerMcpEndpoint(app, {
    sessions,
    hub,
    signOuts,
    credentialOf: identity.credentialOf,
    version: '0.1.0',
  })
  await registerWebApp(app, config.webDir)

  const follow = new FollowEndpoint({
    sessions,
    events,
    hub,
    workspace,
    signOuts,
    authenticate,
    credentialOf: identity.credentialOf,
    log,
  })
  const hostTunnel = new HostTunnelEndpoint({
    storage,
    workspaceId: ws,
    workspace,
    hosts,
    turns: sessions.turns,
    signOuts,
    authenticate,
    credentialOf: identity.credentialOf,
    log,
  })
  installUpgradeRouter(app.server, {
    publicUrl: config.publicUrl,
    follow,
    hostTunnel,
    log,
  })

  workspace.onDisabled(async () => {
    const reason = errorCatalog.not_enabled.message
    await sessions.turns.interruptAll(
      'Omnigent was turned off for this workspace.',
    )
    follow.closeAll(followCloseCodes.notEnabled, reason)
    hostTunnel.closeAll(followCloseCodes.notEnabled, reason)
  })

  const cutOff = await sessions.turns.endUnfinished()
  if (cutOff > 0)
    log.info({ turns: cutOff }, 'ended turns cut off by a restart')

  await app.listen({ port: config.port, host: config.host })
  log.info({ config: redactedConfig(config) }, 'server started')

  return {
    url: config.publicUrl,
    app,
    storage,
    async close() {
      follow.closeAll()
      hostTunnel.closeAll()
      await app.close()
      await storage.close()
      await claim.release()
      log.info('server stopped')
    },
  }
}
