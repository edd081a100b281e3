// Migration 001: every table in schema.ts, built with Kysely's schema
// builder so one definition serves SQLite and PostgreSQL. Released
// migrations are never edited; a change is a new migration.

import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Backend } from './migrations.ts'

export async function initial(
  db: Kysely<any>,
  dialect: Backend,
): Promise<void> {
  await createIdentityTables(db)
  await createHostAndSessionTables(db)
  await createEventAndAuditTables(db, dialect)
}

async function createIdentityTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('settings_pk', ['workspace_id', 'key'])
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_verified', 'integer', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('users_identity_unique', [
      'workspace_id',
      'issuer',
      'subject',
    ])
    .execute()
  await createIndex(db, 'users', ['workspace_id', 'email'])

  await db.schema
    .createTable('directory_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('directory_users_email_unique', [
      'workspace_id',
      'email',
    ])
    .execute()

  await db.schema
    .createTable('oidc_payloads')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('consumed_at', 'text')
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
    .execute()
  await createIndex(db, 'oidc_payloads', ['grant_id'])
  await createIndex(db, 'oidc_payloads', ['user_code'])
  await createIndex(db, 'oidc_payloads', ['uid'])
  await createIndex(db, 'oidc_payloads', ['expires_at'])

  await db.schema
    .createTable('login_states')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('web_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute()
  await createIndex(db, 'web_sessions', ['user_id'])
}

async function createHostAndSessionTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('hosts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text')
    .addColumn('removed_at', 'text')
    .execute()

  // A name picks one host for its owner, so it is unique among the hosts
  // that are not removed; a removed host's name can be used again. Both
  // backends support partial indexes.
  await db.schema
    .createIndex('hosts_owner_name_unique')
    .on('hosts')
    .columns(['workspace_id', 'owner_id', 'name'])
    .unique()
    .where(sql.ref('removed_at'), 'is', null)
    .execute()

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id'))
    .addColumn('dir', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await createIndex(db, 'sessions', ['workspace_id', 'owner_id'])
  await createIndex(db, 'sessions', ['host_id'])

  await db.schema
    .createTable('grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) =>
      c.notNull().references('sessions.id'),
    )
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('grants_session_email_unique', ['session_id', 'email'])
    .addCheckConstraint('grants_level_check', sql`level in ('read', 'edit')`)
    .execute()
  await createIndex(db, 'grants', ['user_id'])
  await createIndex(db, 'grants', ['workspace_id', 'email'])
}

async function createEventAndAuditTables(
  db: Kysely<any>,
  dialect: Backend,
): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) =>
      c.notNull().references('sessions.id'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('turn_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.references('users.id'))
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['session_id', 'seq'])
    .execute()

  // The audit trail outlives what it names, so it holds no foreign keys.
  // Its id orders it; the two backends spell an auto-increment key apart.
  await db.schema
    .createTable('audit')
    .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_email', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute()
  await createIndex(db, 'audit', ['workspace_id', 'session_id'])
}

async function createIndex(
  db: Kysely<any>,
  table: string,
  columns: string[],
): Promise<void> {
  await db.schema
    .createIndex(`${table}_${columns.join('_')}_idx`)
    .on(table)
    .columns(columns)
    .execute()
}
