// Runs the migrations with Kysely's Migrator on every open. They live in
// code (no files to find at run time); each is a separate module.

import { Migrator, sql } from 'kysely'
import type { Kysely, Migration, MigrationProvider } from 'kysely'
import { initial } from './migration-001-initial.ts'
import { accessTokens } from './migration-002-access-tokens.ts'
import { hashedOidcKeys } from './migration-003-hashed-oidc-keys.ts'

export type Backend = 'sqlite' | 'postgres'

/** A PostgreSQL advisory lock key held while migrating and while a test
 * drops its schema; see `withSchemaChangeLock`. */
export const schemaChangeLockKey = 7_314_220_091

/** Brings the database up to the latest migration; safe to run on every
 * start, and safe when several servers start at once (Kysely takes an
 * advisory lock on PostgreSQL; SQLite has one writer). */
export async function migrateToLatest(
  db: Kysely<any>,
  dialect: Backend,
): Promise<void> {
  if (dialect === 'sqlite') {
    await runMigrator(db, dialect, undefined)
    return
  }

  const schema = await currentSchema(db)
  await withSchemaChangeLock(db, () => runMigrator(db, dialect, schema))
}

async function runMigrator(
  db: Kysely<any>,
  dialect: Backend,
  migrationTableSchema: string | undefined,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    migrationTableSchema,
  })
  const { error } = await migrator.migrateToLatest()
  if (error !== undefined) throw error
}

// The migrator's look at the catalog (pg_catalog across every schema) fails
// with "schema does not exist" when another connection drops a schema in the
// middle of it, which parallel test files do all the time. Holding one
// session-level advisory lock around migrating, and around every such drop,
// keeps the two apart; migrations are short, so the wait is too.
async function withSchemaChangeLock(
  db: Kysely<any>,
  work: () => Promise<void>,
): Promise<void> {
  await db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${schemaChangeLockKey})`.execute(
      connection,
    )
    try {
      await work()
    } finally {
      await sql`select pg_advisory_unlock(${schemaChangeLockKey})`.execute(
        connection,
      )
    }
  })
}

// Kysely's migrator asks whether its own tables exist by listing the tables
// of every schema, so a kysely_migration table in another schema (another
// tenant, or a parallel test) would pass for ours. Naming the schema that
// `search_path` resolves to keeps it looking at its own.
async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{
    schema: string | null
  }>`select current_schema() as schema`.execute(db)
  const schema = rows[0]?.schema
  if (schema == null) {
    throw new Error('databaseUrl: search_path names no existing schema')
  }
  return schema
}

function migrationProvider(dialect: Backend): MigrationProvider {
  return {
    getMigrations: async (): Promise<Record<string, Migration>> => ({
      '001_initial': { up: (db) => initial(db, dialect) },
      '002_access_tokens': { up: (db) => accessTokens(db) },
      '003_hashed_oidc_keys': { up: (db) => hashedOidcKeys(db) },
    }),
  }
}
