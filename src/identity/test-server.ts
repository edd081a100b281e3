// A real server for identity tests: Fastify on 127.0.0.1 with an ephemeral
// port, the identity part registered on it, over real storage.

import Fastify, { type FastifyInstance } from 'fastify'
import { createServer } from 'node:net'
import { createLogger, type Logger } from '../core/log.ts'
import { openDatabase, type Storage } from '../storage/database.ts'
import type { IdentityConfig } from './identity-config.ts'
import { createIdentity, type Identity } from './index.ts'

export interface IdentityServer {
  publicUrl: string
  identity: Identity
  storage: Storage
  app: FastifyInstance
  /** Stops the server; closes storage only when the helper opened it. */
  close(): Promise<void>
}

export const testWorkspace = 'ws_test'

export async function startIdentityServer(given?: {
  storage?: Storage
  port?: number
  log?: Logger
  config?: IdentityConfig
  onSignOut?: (userId: string, webSessionId?: string) => void
}): Promise<IdentityServer> {
  const storage =
    given?.storage ?? (await openDatabase({ sqlitePath: ':memory:' }))
  const port = given?.port ?? (await freePort())
  const publicUrl = `http://127.0.0.1:${port}`

  const identity = await createIdentity({
    storage,
    workspaceId: testWorkspace,
    publicUrl,
    log: given?.log ?? createLogger('identity-test', { level: 'silent' }),
    ...(given?.config ? { config: given.config } : {}),
    ...(given?.onSignOut ? { onSignOut: given.onSignOut } : {}),
  })
  const app = Fastify()
  await identity.register(app)
  await app.listen({ host: '127.0.0.1', port })

  return {
    publicUrl,
    identity,
    storage,
    app,
    async close() {
      await app.close()
      // Fetch keeps connections alive; one turn of the event loop lets this
      // process's own clients see the server's end of them before a test
      // reconnects to the same port.
      await new Promise((resolve) => setTimeout(resolve, 20))
      if (given?.storage === undefined) await storage.close()
    },
  }
}

/** A port the OS just handed out; the public URL must be known before the
 * identity part is created, so the port is chosen first. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}
