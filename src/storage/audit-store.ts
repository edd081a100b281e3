// The access trail: who did what to which session, host or setting. It holds
// no session content, so workspace admins may read it.

import type { Kysely, Selectable } from 'kysely'
import { now } from '../core/time.ts'
import type { AuditTable, Database } from './schema.ts'

export type AuditRow = Selectable<AuditTable>

export interface NewAudit {
  actorId: string | null
  actorEmail: string | null
  action: string
  targetType: string
  targetId: string
  sessionId: string | null
  /** Facts about the action as a JSON-serialisable object; no secrets. */
  detail?: Record<string, unknown>
}

export interface AuditQuery {
  sessionId?: string
  limit?: number
}

export async function appendAudit(
  db: Kysely<Database>,
  workspaceId: string,
  entry: NewAudit,
): Promise<AuditRow> {
  return await db
    .insertInto('audit')
    .values({
      workspace_id: workspaceId,
      at: now(),
      actor_id: entry.actorId,
      actor_email: entry.actorEmail,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      session_id: entry.sessionId,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** The latest `limit` entries (all of the session's, if one is named),
 * oldest first. */
export async function listAudit(
  db: Kysely<Database>,
  workspaceId: string,
  query: AuditQuery = {},
): Promise<AuditRow[]> {
  let select = db
    .selectFrom('audit')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
  if (query.sessionId !== undefined) {
    select = select.where('session_id', '=', query.sessionId)
  }

  const newestFirst = await select
    .orderBy('id', 'desc')
    .limit(query.limit ?? 1000)
    .execute()
  return newestFirst.reverse()
}
