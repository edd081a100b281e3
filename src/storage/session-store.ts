// Agent sessions: each runs on one of its owner's hosts. Who else sees one
// is decided by its grants (grant-store.ts) and the access policy.

import type { Kysely, Selectable } from 'kysely'
import { newId } from '../core/ids.ts'
import { now } from '../core/time.ts'
import type { AccessLevel } from '../protocol/api.ts'
import type { Database, SessionsTable } from './schema.ts'

export type SessionRow = Selectable<SessionsTable>

/** A session as a list shows it to one user. */
export type SessionListRow = SessionRow & {
  owner_email: string
  host_name: string
  level: AccessLevel
}

export type SessionScope = 'mine' | 'shared' | 'all'

export interface NewSession {
  ownerId: string
  hostId: string
  dir: string
  title: string
}

export async function createSession(
  db: Kysely<Database>,
  workspaceId: string,
  session: NewSession,
): Promise<SessionRow> {
  const at = now()
  return await db
    .insertInto('sessions')
    .values({
      id: newId('s'),
      workspace_id: workspaceId,
      owner_id: session.ownerId,
      host_id: session.hostId,
      dir: session.dir,
      title: session.title,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function getSession(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<SessionRow | undefined> {
  return await db
    .selectFrom('sessions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** The user's own sessions ('mine'), those shared with them through a
 * grant bound to them ('shared'), or both; newest first. */
export async function listSessionsForUser(
  db: Kysely<Database>,
  workspaceId: string,
  userId: string,
  scope: SessionScope,
): Promise<SessionListRow[]> {
  const mine =
    scope === 'shared' ? [] : await listOwned(db, workspaceId, userId)
  const shared =
    scope === 'mine' ? [] : await listShared(db, workspaceId, userId)

  // An owner never holds a grant on their own session, but if one slipped
  // in, owning wins.
  const owned = new Set(mine.map((row) => row.id))
  const rows = [...mine, ...shared.filter((row) => !owned.has(row.id))]
  return rows.sort(newestFirst)
}

function listed(db: Kysely<Database>, workspaceId: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users as owner', 'owner.id', 'sessions.owner_id')
    .innerJoin('hosts', 'hosts.id', 'sessions.host_id')
    .selectAll('sessions')
    .select(['owner.email as owner_email', 'hosts.name as host_name'])
    .where('sessions.workspace_id', '=', workspaceId)
}

async function listOwned(
  db: Kysely<Database>,
  workspaceId: string,
  userId: string,
): Promise<SessionListRow[]> {
  const rows = await listed(db, workspaceId)
    .where('sessions.owner_id', '=', userId)
    .execute()
  return rows.map((row) => ({ ...row, level: 'owner' as const }))
}

// A user may hold two grants on one session (their email changed and both
// addresses were shared), so the rows are folded to the highest level.
async function listShared(
  db: Kysely<Database>,
  workspaceId: string,
  userId: string,
): Promise<SessionListRow[]> {
  const rows = await listed(db, workspaceId)
    .innerJoin('grants', 'grants.session_id', 'sessions.id')
    .select('grants.level')
    .where('grants.user_id', '=', userId)
    .where('sessions.owner_id', '!=', userId)
    .execute()

  const byId = new Map<string, SessionListRow>()
  for (const row of rows) {
    const seen = byId.get(row.id)
    if (seen === undefined || row.level === 'edit') byId.set(row.id, row)
  }
  return [...byId.values()]
}

function newestFirst(a: SessionRow, b: SessionRow): number {
  if (a.created_at !== b.created_at) {
    return a.created_at < b.created_at ? 1 : -1
  }
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

export async function renameSession(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
  title: string,
): Promise<SessionRow | undefined> {
  return await db
    .updateTable('sessions')
    .set({ title, updated_at: now() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}

/** Deletes the session with its grants and event log, all or nothing;
 * returns whether it existed. The audit trail keeps its entries. */
export async function deleteSession(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<boolean> {
  return await db.transaction().execute(async (tx) => {
    await tx
      .deleteFrom('grants')
      .where('workspace_id', '=', workspaceId)
      .where('session_id', '=', id)
      .execute()
    await tx
      .deleteFrom('events')
      .where('workspace_id', '=', workspaceId)
      .where('session_id', '=', id)
      .execute()

    const result = await tx
      .deleteFrom('sessions')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst()
    return result.numDeletedRows > 0n
  })
}
