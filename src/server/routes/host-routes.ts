import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { OmniError } from '../../core/errors.ts'
import type { Host } from '../../protocol/api.ts'
import type { HostRegistry } from '../../sessions/host-registry.ts'
import { appendAudit } from '../../storage/audit-store.ts'
import type { Storage } from '../../storage/database.ts'
import {
  findHostByName,
  listHostsByOwner,
  removeHost,
} from '../../storage/host-store.ts'
import { actorOf } from '../route-access.ts'
import { noBody } from './no-body.ts'

export interface HostRoutesOptions {
  storage: Storage
  workspaceId: string
  hosts: HostRegistry
}

const nameParams = z.object({ name: z.string().min(1).max(200) })

export function registerHostRoutes(
  app: FastifyInstance,
  options: HostRoutesOptions,
): void {
  const { db } = options.storage
  const ws = options.workspaceId

  // Lists only the caller's own hosts: nobody else's host is visible.
  app.get('/api/hosts', { config: { action: 'host.view' } }, async (req) => {
    const rows = await listHostsByOwner(db, ws, actorOf(req).userId)
    return rows.map((row): Host => ({
      id: row.id,
      name: row.name,
      online: options.hosts.isOnline(row.id),
      lastSeenAt: row.last_seen_at,
    }))
  })

  app.delete(
    '/api/hosts/:name',
    { config: { action: 'host.remove' } },
    async (req, reply) => {
      const actor = actorOf(req)
      const { name } = nameParams.parse(req.params)
      noBody.parse(req.body)
      const host = await findHostByName(db, ws, actor.userId, name)
      if (!host) {
        throw new OmniError('not_found', `You have no host named ${name}.`)
      }

      await removeHost(db, ws, host.id)
      options.hosts.get(host.id)?.close(4410, 'host removed by its owner')
      await appendAudit(db, ws, {
        actorId: actor.userId,
        actorEmail: actor.email,
        action: 'host.remove',
        targetType: 'host',
        targetId: host.id,
        sessionId: null,
        detail: { name },
      })
      return reply.status(204).send()
    },
  )
}
