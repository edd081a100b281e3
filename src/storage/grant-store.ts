// Shares: (session, email, level). A grant names a workspace email, matched
// without regard to case, and binds to a user once that person signs in
// with a verified email. The owner never has a grant; ownership is on the
// session row.

import type { Kysely, Selectable } from 'kysely'
import { sql } from 'kysely'
import { newId } from '../core/ids.ts'
import { now } from '../core/time.ts'
import type { Relation } from '../access/policy.ts'
import type { Database, GrantsTable, Level } from './schema.ts'

export type GrantRow = Selectable<GrantsTable>

/** A grant with the bound user's current email (null while pending). */
export type GrantListRow = GrantRow & { user_email: string | null }

export interface NewGrant {
  sessionId: string
  email: string
  userId: string | null
  level: Level
  createdBy: string
}

/** Shares the session with the email, or changes the level of the grant it
 * already has (keeping its id). A known user id binds the grant; a null one
 * never unbinds it. */
export async function putGrant(
  db: Kysely<Database>,
  workspaceId: string,
  grant: NewGrant,
): Promise<GrantRow> {
  return await db
    .insertInto('grants')
    .values({
      id: newId('g'),
      workspace_id: workspaceId,
      session_id: grant.sessionId,
      email: grant.email.toLowerCase(),
      user_id: grant.userId,
      level: grant.level,
      created_at: now(),
      created_by: grant.createdBy,
    })
    .onConflict((oc) =>
      oc.columns(['session_id', 'email']).doUpdateSet({
        level: grant.level,
        user_id: sql<
          string | null
        >`coalesce(${sql.ref('excluded.user_id')}, ${sql.ref('grants.user_id')})`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Revokes the email's grant; returns whether there was one. */
export async function removeGrant(
  db: Kysely<Database>,
  workspaceId: string,
  sessionId: string,
  email: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('grants')
    .where('workspace_id', '=', workspaceId)
    .where('session_id', '=', sessionId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** Removes every grant bound to the user (leaving a session); returns how
 * many there were. */
export async function removeGrantsForUser(
  db: Kysely<Database>,
  workspaceId: string,
  sessionId: string,
  userId: string,
): Promise<number> {
  const result = await db
    .deleteFrom('grants')
    .where('workspace_id', '=', workspaceId)
    .where('session_id', '=', sessionId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function listGrants(
  db: Kysely<Database>,
  workspaceId: string,
  sessionId: string,
): Promise<GrantListRow[]> {
  return await db
    .selectFrom('grants')
    .leftJoin('users', 'users.id', 'grants.user_id')
    .selectAll('grants')
    .select('users.email as user_email')
    .where('grants.workspace_id', '=', workspaceId)
    .where('grants.session_id', '=', sessionId)
    .orderBy('grants.created_at')
    .orderBy('grants.email')
    .execute()
}

/** The user's strongest grant on the session, if any. */
export async function getGrantForUser(
  db: Kysely<Database>,
  workspaceId: string,
  sessionId: string,
  userId: string,
): Promise<GrantRow | undefined> {
  const grants = await db
    .selectFrom('grants')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('session_id', '=', sessionId)
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute()
  return grants.find((g) => g.level === 'edit') ?? grants[0]
}

/** What the user is to the session: its owner, an editor, a reader, or
 * nobody (also for a session that does not exist). */
export async function relationOf(
  db: Kysely<Database>,
  workspaceId: string,
  sessionId: string,
  userId: string,
): Promise<Relation> {
  const session = await db
    .selectFrom('sessions')
    .select('owner_id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sessionId)
    .executeTakeFirst()
  if (session === undefined) return 'none'
  if (session.owner_id === userId) return 'owner'

  const grant = await getGrantForUser(db, workspaceId, sessionId, userId)
  return grant?.level ?? 'none'
}

/** Binds grants made to this email before the user first signed in with
 * it verified; returns how many were bound. Grants already bound (to an
 * earlier holder of the email) stay with that user.
 *
 * One person holds at most one grant on a session. When the user already
 * holds one there under another address (their email changed, and both
 * addresses had been shared), the two fold into the grant under the current
 * address, at the higher of the two levels. */
export async function bindPendingGrants(
  db: Kysely<Database>,
  workspaceId: string,
  userId: string,
  email: string,
): Promise<number> {
  const address = email.toLowerCase()
  return await db.transaction().execute(async (tx) => {
    const pending = await tx
      .selectFrom('grants')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('email', '=', address)
      .where('user_id', 'is', null)
      .execute()

    for (const grant of pending) {
      const held = await tx
        .selectFrom('grants')
        .select(['id', 'level'])
        .where('workspace_id', '=', workspaceId)
        .where('session_id', '=', grant.session_id)
        .where('user_id', '=', userId)
        .execute()
      const levels = [grant.level, ...held.map((other) => other.level)]

      if (held.length > 0) {
        await tx
          .deleteFrom('grants')
          .where(
            'id',
            'in',
            held.map((other) => other.id),
          )
          .execute()
      }
      await tx
        .updateTable('grants')
        .set({
          user_id: userId,
          level: levels.includes('edit') ? 'edit' : 'read',
        })
        .where('id', '=', grant.id)
        .execute()
    }
    return pending.length
  })
}
