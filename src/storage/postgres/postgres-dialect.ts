// PostgreSQL through `pg`, with Kysely's own PostgresDialect.

import { userInfo } from 'node:os'
import { PostgresDialect } from 'kysely'
import pg from 'pg'

const maxConnections = 10

export function createPostgresDialect(databaseUrl: string): PostgresDialect {
  const pool = new pg.Pool({
    connectionString: withDefaultUser(databaseUrl),
    max: maxConnections,
  })

  // An idle client whose server connection drops makes the pool emit 'error';
  // unheard, that event would end the process. The next query on a fresh
  // client reports the outage to whoever asked, so nothing is lost here.
  pool.on('error', () => {})

  return new PostgresDialect({ pool })
}

// libpq (and so psql) signs in as the operating-system user when the URL
// names none; pg falls back only to $PGUSER and $USER, which services and CI
// often lack. Doing as libpq does keeps `postgres://127.0.0.1/db` meaning the
// same to both.
export function withDefaultUser(databaseUrl: string): string {
  const url = new URL(databaseUrl)
  if (url.username !== '') return databaseUrl

  const user = process.env.PGUSER || process.env.USER || userInfo().username
  url.username = encodeURIComponent(user)
  return url.toString()
}
