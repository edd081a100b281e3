// Server-side web sessions. The browser holds a random token; the table holds
// only its SHA-256, so reading the database never yields a usable cookie,
// and revoking the row ends the session at once.

import { createHash } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { isoAfter, now } from '../core/time.ts'
import { newSecret } from '../core/ids.ts'
import type { Database, WebSessionsTable } from '../storage/schema.ts'

export type WebSessionRow = Selectable<WebSessionsTable>

export const webSessionTtlMs = 14 * 24 * 60 * 60 * 1000

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

/** Starts a session and returns the cookie token (never stored). */
export async function createWebSession(
  db: Kysely<Database>,
  workspaceId: string,
  userId: string,
): Promise<string> {
  const token = newSecret()
  await db
    .insertInto('web_sessions')
    .values({
      id: hashSessionToken(token),
      workspace_id: workspaceId,
      user_id: userId,
      created_at: now(),
      expires_at: isoAfter(webSessionTtlMs),
      revoked_at: null,
    })
    .execute()
  return token
}

/** The session row when the token names one that is neither revoked nor
 * expired. */
export async function findLiveWebSession(
  db: Kysely<Database>,
  workspaceId: string,
  token: string,
): Promise<WebSessionRow | undefined> {
  return await db
    .selectFrom('web_sessions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', hashSessionToken(token))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now())
    .executeTakeFirst()
}

/** Revokes the session the token names; returns its user, if it was live. */
export async function revokeWebSession(
  db: Kysely<Database>,
  workspaceId: string,
  token: string,
): Promise<string | undefined> {
  const row = await db
    .updateTable('web_sessions')
    .set({ revoked_at: now() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', hashSessionToken(token))
    .where('revoked_at', 'is', null)
    .returning('user_id')
    .executeTakeFirst()
  return row?.user_id
}

/** Ends every live web session of the user ("sign out everywhere") and
 * says how many there were. */
export async function revokeAllWebSessions(
  db: Kysely<Database>,
  workspaceId: string,
  userId: string,
): Promise<number> {
  const result = await db
    .updateTable('web_sessions')
    .set({ revoked_at: now() })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now())
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
