// Migration 002: personal access tokens. A token's secret is never stored,
// only its SHA-256, so reading the table never yields a usable credential.

import type { Kysely } from 'kysely'

export async function accessTokens(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('access_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute()

  await db.schema
    .createIndex('access_tokens_workspace_id_user_id_idx')
    .on('access_tokens')
    .columns(['workspace_id', 'user_id'])
    .execute()
}
