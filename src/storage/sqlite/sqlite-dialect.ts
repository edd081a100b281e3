// SQLite through Node's built-in `node:sqlite`, so the default install needs
// no native module. Kysely ships no dialect for `node:sqlite`, but its own
// SqliteDialect only needs the small part of better-sqlite3's Database shape
// declared in SqliteDatabase; this file adapts DatabaseSync to that shape
// and leaves query compilation, transactions and the migrator's locking to
// Kysely's tested SQLite code.

import { chmodSync } from 'node:fs'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { SqliteDialect } from 'kysely'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** How long a writer waits for another process's write lock, in ms. */
const busyTimeoutMs = 5000

type SqliteValue = null | number | bigint | string | Uint8Array

export function createSqliteDialect(path: string): SqliteDialect {
  const database = openSqlite(path)
  return new SqliteDialect({ database: adaptDatabase(database) })
}

function openSqlite(path: string): DatabaseSync {
  let database: DatabaseSync
  try {
    database = new DatabaseSync(path)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`sqlitePath: cannot open ${path}: ${reason}`)
  }
  ownerOnly(path)

  // WAL lets readers run beside the single writer; foreign keys are off in
  // SQLite unless every connection asks for them.
  database.exec('PRAGMA journal_mode = WAL')
  database.exec('PRAGMA foreign_keys = ON')
  database.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
  ownerOnly(path)
  return database
}

/** The database holds every user's sign-in state, so only its owner may
 * read it. SQLite creates the -wal and -shm files with the database file's
 * mode, so narrowing the file before WAL is switched on covers those it
 * creates; the second call narrows ones an older server left behind. */
function ownerOnly(path: string): void {
  if (path === ':memory:' || path === '' || path.startsWith('file:')) return
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
}

function adaptDatabase(database: DatabaseSync): SqliteDatabase {
  return {
    prepare: (sql) => adaptStatement(database.prepare(sql)),
    close: () => database.close(),
  }
}

function adaptStatement(statement: StatementSync): SqliteStatement {
  const bind = (parameters: ReadonlyArray<unknown>) =>
    parameters as SqliteValue[]

  return {
    // A statement that yields columns (SELECT, or anything with RETURNING)
    // is a reader, which is how better-sqlite3 defines `reader` too.
    reader: statement.columns().length > 0,
    all: (parameters) => statement.all(...bind(parameters)).map(plainRow),
    run: (parameters) => statement.run(...bind(parameters)),
    iterate: (parameters) => plainRows(statement.iterate(...bind(parameters))),
  }
}

function* plainRows(rows: Iterable<unknown>): IterableIterator<unknown> {
  for (const row of rows) yield plainRow(row)
}

// node:sqlite builds rows with a null prototype; PostgreSQL rows are plain
// objects. Copying keeps both backends returning the same JavaScript shape.
function plainRow(row: unknown): Record<string, unknown> {
  return { ...(row as Record<string, unknown>) }
}
