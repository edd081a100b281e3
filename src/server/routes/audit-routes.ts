import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { decideWorkspace } from '../../access/policy.ts'
import type { AuditEntry } from '../../protocol/api.ts'
import type { SessionService } from '../../sessions/session-service.ts'
import { auditPageLimit, listAudit } from '../../storage/audit-store.ts'
import type { Storage } from '../../storage/database.ts'
import { actorOf } from '../route-access.ts'
import type { WorkspaceState } from '../workspace-state.ts'

const auditQuery = z.object({
  session: z.string().min(1).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(auditPageLimit).optional(),
})

export function registerAuditRoutes(
  app: FastifyInstance,
  options: {
    storage: Storage
    workspaceId: string
    sessions: SessionService
    workspace: WorkspaceState
  },
): void {
  const { db } = options.storage
  const ws = options.workspaceId

  // A session's trail is its owner's; the workspace trail is the admins'.
  // Anyone else reads only their own actions. A page holds the newest
  // `limit` entries before `before`, oldest first; the client pages back
  // from the first entry's id.
  app.get(
    '/api/audit',
    { config: { action: 'workspace.use' } },
    async (req) => {
      const actor = actorOf(req)
      const { session, before, limit } = auditQuery.parse(req.query)
      const page = { beforeId: before, limit }

      if (session) {
        await options.sessions.authorize(actor, session, 'session.audit')
        const rows = await listAudit(db, ws, { ...page, sessionId: session })
        return rows.map(toEntry)
      }

      const admin = decideWorkspace(
        actor,
        'workspace.audit',
        options.workspace.enabled,
      ).allowed
      const own = admin ? {} : { actorId: actor.userId }
      return (await listAudit(db, ws, { ...page, ...own })).map(toEntry)
    },
  )
}

function toEntry(row: {
  id: number
  at: string
  actor_email: string | null
  action: string
  target_type: string
  target_id: string
  session_id: string | null
  detail: string
}): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor_email,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    sessionId: row.session_id,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  }
}
