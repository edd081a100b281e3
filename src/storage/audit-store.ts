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
  /** Only this person's own actions. */
  actorId?: string
  /** Only entries older than this id: the next page back. */
  beforeId?: number
  limit?: number
}

export const auditPageLimit = 1000

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

/** The latest `limit` entries that match the query (before `beforeId`, if
 * given), oldest first. Filters apply before the limit, so no one's entries
 * are pushed out of reach by others'. */
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
  if (query.actorId !== undefined) {
    select = select.where('actor_id', '=', query.actorId)
  }
  if (query.beforeId !== undefined) {
    select = select.where('id', '<', query.beforeId)
  }

  const newestFirst = await select
    .orderBy('id', 'desc')
    .limit(query.limit ?? auditPageLimit)
    .execute()
  return newestFirst.reverse()
}
