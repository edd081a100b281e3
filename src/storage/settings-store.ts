// Workspace-wide settings as text values (for example whether Omnigent is
// enabled); callers parse what they store.

import type { Kysely } from 'kysely'
import { now } from '../core/time.ts'
import type { Database } from './schema.ts'

export async function getSetting(
  db: Kysely<Database>,
  workspaceId: string,
  key: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('workspace_id', '=', workspaceId)
    .where('key', '=', key)
    .executeTakeFirst()
  return row?.value
}

export async function putSetting(
  db: Kysely<Database>,
  workspaceId: string,
  key: string,
  value: string,
): Promise<void> {
  const updatedAt = now()
  await db
    .insertInto('settings')
    .values({ workspace_id: workspaceId, key, value, updated_at: updatedAt })
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'key'])
        .doUpdateSet({ value, updated_at: updatedAt }),
    )
    .execute()
}
