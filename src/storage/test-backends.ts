// The storage backends every test suite runs against. Each open gets its own
// empty database: SQLite in a temporary file, PostgreSQL in a fresh schema
// with a random name, so test files running in parallel never meet.

import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { schemaChangeLockKey } from './migrations.ts'
import { withDefaultUser } from './postgres/postgres-dialect.ts'
import {
  openDatabase,
  type Backend,
  type DatabaseOptions,
  type Storage,
} from './database.ts'

/** A database reserved for one test: the options reach it as often as it is
 * opened, and `cleanup` deletes it. */
export interface TestPlace {
  options: DatabaseOptions
  cleanup(): Promise<void>
}

export interface StorageBackend {
  name: Backend
  /** A migrated, empty database; `close()` also deletes it. */
  open(): Promise<Storage>
  /** An empty place for a test that opens and closes it more than once. */
  place(): Promise<TestPlace>
}

export const testDatabaseUrl =
  process.env.OMNI_TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test'

export function storageBackends(): StorageBackend[] {
  return [backend('sqlite', sqlitePlace), backend('postgres', postgresPlace)]
}

function backend(
  name: Backend,
  place: () => Promise<TestPlace>,
): StorageBackend {
  return {
    name,
    place,
    async open(): Promise<Storage> {
      const { options, cleanup } = await place()
      const storage = await openDatabase(options).catch(async (error) => {
        await cleanup()
        throw error
      })
      return {
        db: storage.db,
        dialect: storage.dialect,
        async close(): Promise<void> {
          await storage.close()
          await cleanup()
        },
      }
    },
  }
}

async function sqlitePlace(): Promise<TestPlace> {
  const dir = await mkdtemp(join(tmpdir(), 'omni-storage-'))
  return {
    options: { sqlitePath: join(dir, 'omni.db') },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

async function postgresPlace(): Promise<TestPlace> {
  const schema = `omni_test_${randomBytes(6).toString('hex')}`
  await adminQuery(`create schema ${schema}`)

  // The `options` startup parameter sets search_path on every pooled
  // connection, so every table, index and the migrator's own tables land
  // in the schema.
  const url = new URL(testDatabaseUrl)
  url.searchParams.set('options', `-c search_path=${schema}`)

  return {
    options: { databaseUrl: url.toString() },
    cleanup: () => dropSchema(schema),
  }
}

// Under the lock migrations hold, so no migrator in another test file is
// reading the catalog while the schema disappears.
async function dropSchema(schema: string): Promise<void> {
  await adminQuery(
    `select pg_advisory_lock(${schemaChangeLockKey})`,
    `drop schema if exists ${schema} cascade`,
    `select pg_advisory_unlock(${schemaChangeLockKey})`,
  )
}

async function adminQuery(...statements: string[]): Promise<void> {
  const client = new pg.Client({
    connectionString: withDefaultUser(testDatabaseUrl),
  })
  await client.connect()
  try {
    for (const statement of statements) await client.query(statement)
  } finally {
    await client.end()
  }
}
