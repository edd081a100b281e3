// One server per PostgreSQL database and workspace. The server keeps running
// turns and connected hosts in memory, so a second one on the same rows
// would end the first one's turns as "cut off by a restart". A session-level
// advisory lock, held on its own connection for the server's life, says who
// is serving; PostgreSQL drops it when that connection ends, however the
// process ended.

import pg from 'pg'
import type { DatabaseClaim } from '../database.ts'
import { withDefaultUser } from './postgres-dialect.ts'

// The lock's first key marks it as Omnigent's; the second is the schema and
// workspace, so servers on other schemas of one database never meet.
const lockClass = 0x6f6d6e69 // "omni"

export async function claimPostgres(
  databaseUrl: string,
  workspaceId: string,
): Promise<DatabaseClaim> {
  const client = new pg.Client({
    connectionString: withDefaultUser(databaseUrl),
  })
  // A dropped connection loses the lock; the server's own pool reports the
  // outage to whoever queries next, so the event only needs a listener.
  client.on('error', () => {})
  await client.connect()

  const { rows } = await client.query<{ claimed: boolean }>(
    `select pg_try_advisory_lock($1, hashtext(current_schema() || '/' || $2))
       as claimed`,
    [lockClass, workspaceId],
  )
  if (!rows[0]?.claimed) {
    await client.end()
    throw new Error(
      `Another Omnigent server is using this database for workspace ` +
        `"${workspaceId}"; stop it first, or give this one another --database-url.`,
    )
  }

  return {
    async release() {
      await client.end()
    },
  }
}
