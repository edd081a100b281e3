// Personal access tokens, by the SHA-256 of their secret. The store never
// sees a secret; identity hashes it and decides what a revoked or expired
// row means.

import type { Kysely, Selectable } from 'kysely'
import { newId } from '../core/ids.ts'
import { now } from '../core/time.ts'
import type { AccessTokensTable, Database } from './schema.ts'

export type AccessTokenRow = Selectable<AccessTokensTable>

export interface NewAccessToken {
  userId: string
  name: string
  tokenHash: string
  expiresAt: string
}

export async function createAccessToken(
  db: Kysely<Database>,
  workspaceId: string,
  token: NewAccessToken,
): Promise<AccessTokenRow> {
  return await db
    .insertInto('access_tokens')
    .values({
      id: newId('pat'),
      workspace_id: workspaceId,
      user_id: token.userId,
      name: token.name,
      token_hash: token.tokenHash,
      created_at: now(),
      expires_at: token.expiresAt,
      last_used_at: null,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** The row for this hash whatever its state, so the caller can tell a
 * revoked token from an expired or unknown one. */
export async function findAccessTokenByHash(
  db: Kysely<Database>,
  workspaceId: string,
  tokenHash: string,
): Promise<AccessTokenRow | undefined> {
  return await db
    .selectFrom('access_tokens')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst()
}

/** The user's tokens that are neither revoked nor expired, newest first. */
export async function listLiveAccessTokens(
  db: Kysely<Database>,
  workspaceId: string,
  userId: string,
): Promise<AccessTokenRow[]> {
  return await db
    .selectFrom('access_tokens')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now())
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/** Revokes one of the user's own tokens; false when the user has no live
 * token with this id (someone else's token counts as none). */
export async function revokeAccessToken(
  db: Kysely<Database>,
  workspaceId: string,
  userId: string,
  id: string,
): Promise<boolean> {
  const result = await db
    .updateTable('access_tokens')
    .set({ revoked_at: now() })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function touchAccessToken(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<void> {
  await db
    .updateTable('access_tokens')
    .set({ last_used_at: now() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute()
}
