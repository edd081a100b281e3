// Opens the one database the server uses: SQLite by default, PostgreSQL when
// given a URL. Either way the caller gets the same Kysely<Database>, already
// migrated, and the stores never ask which backend is underneath.

import { Kysely } from 'kysely'
import type { Dialect } from 'kysely'
import { migrateToLatest, type Backend } from './migrations.ts'
import { claimPostgres } from './postgres/postgres-claim.ts'
import { createPostgresDialect } from './postgres/postgres-dialect.ts'
import type { Database } from './schema.ts'
import { claimSqliteFile } from './sqlite/sqlite-claim.ts'
import { createSqliteDialect } from './sqlite/sqlite-dialect.ts'

export type DatabaseOptions = { sqlitePath: string } | { databaseUrl: string }

export interface Storage {
  db: Kysely<Database>
  dialect: Backend
  close(): Promise<void>
}

export type { Backend }

export async function openDatabase(options: DatabaseOptions): Promise<Storage> {
  const { dialect, kyselyDialect } = chooseDialect(options)
  const db = new Kysely<Database>({ dialect: kyselyDialect })

  try {
    await migrateToLatest(db, dialect)
  } catch (error) {
    await db.destroy()
    throw error
  }

  let closed = false
  return Object.freeze({
    db,
    dialect,
    async close(): Promise<void> {
      if (closed) return
      closed = true
      await db.destroy()
    },
  })
}

/** A server's hold on its database, from start-up until it stops. */
export interface DatabaseClaim {
  release(): Promise<void>
}

/** Claims the database for one server, before anything in it is read or
 * written: a second server on the same database is refused with a message
 * that says which option to change. An in-memory database is private. */
export async function claimDatabase(
  options: DatabaseOptions,
  workspaceId: string,
): Promise<DatabaseClaim> {
  if ('databaseUrl' in options) {
    return claimPostgres(checkDatabaseUrl(options.databaseUrl), workspaceId)
  }
  const path = checkSqlitePath(options.sqlitePath)
  if (path === ':memory:') return { release: async () => {} }
  return claimSqliteFile(path)
}

function chooseDialect(options: DatabaseOptions): {
  dialect: Backend
  kyselyDialect: Dialect
} {
  const given = options as Partial<Record<string, unknown>>
  const hasUrl = given.databaseUrl !== undefined
  const hasPath = given.sqlitePath !== undefined
  if (hasUrl && hasPath) {
    throw new Error('openDatabase: give either sqlitePath or databaseUrl')
  }

  if (hasUrl) {
    const url = checkDatabaseUrl(given.databaseUrl)
    return { dialect: 'postgres', kyselyDialect: createPostgresDialect(url) }
  }
  if (hasPath) {
    const path = checkSqlitePath(given.sqlitePath)
    return { dialect: 'sqlite', kyselyDialect: createSqliteDialect(path) }
  }
  throw new Error('openDatabase: sqlitePath or databaseUrl is required')
}

// The message never repeats the URL: it may hold a password.
function checkDatabaseUrl(value: unknown): string {
  const message = 'databaseUrl must be a postgres:// or postgresql:// URL'
  if (typeof value !== 'string') throw new Error(message)

  let protocol: string
  try {
    protocol = new URL(value).protocol
  } catch {
    throw new Error(message)
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new Error(message)
  }
  return value
}

function checkSqlitePath(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error('sqlitePath must be a file path or ":memory:"')
  }
  return value
}
