import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Me, WorkspaceStatus } from '../../protocol/api.ts'
import { appendAudit } from '../../storage/audit-store.ts'
import type { Storage } from '../../storage/database.ts'
import { actorOf } from '../route-access.ts'
import type { WorkspaceState } from '../workspace-state.ts'

export interface WorkspaceRoutesOptions {
  storage: Storage
  workspaceId: string
  workspace: WorkspaceState
  discovery(): Promise<Omit<WorkspaceStatus, 'enabled'>>
}

const enablementBody = z.object({ enabled: z.boolean() }).strict()

export function registerWorkspaceRoutes(
  app: FastifyInstance,
  options: WorkspaceRoutesOptions,
): void {
  const { workspace } = options

  app.get('/api/workspace', { config: { action: 'public' } }, async () => {
    const status: WorkspaceStatus = {
      enabled: workspace.enabled,
      ...(await options.discovery()),
    }
    return status
  })

  app.get('/api/me', { config: { action: 'signed-in' } }, (req) => {
    const actor = actorOf(req)
    const me: Me = {
      email: actor.email,
      isAdmin: actor.isAdmin,
      enabled: workspace.enabled,
    }
    return me
  })

  app.post(
    '/api/admin/enablement',
    { config: { action: 'workspace.toggle' } },
    async (req) => {
      const { enabled } = enablementBody.parse(req.body)
      const actor = actorOf(req)
      await workspace.setEnabled(enabled)
      await appendAudit(options.storage.db, options.workspaceId, {
        actorId: actor.userId,
        actorEmail: actor.email,
        action: enabled ? 'workspace.enable' : 'workspace.disable',
        targetType: 'workspace',
        targetId: options.workspaceId,
        sessionId: null,
        detail: {},
      })
      return { enabled: workspace.enabled }
    },
  )
}
