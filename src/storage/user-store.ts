// People as the workspace's issuer names them. A user is keyed by (issuer,
// subject), never by email: an email can move to a new subject, and that
// subject is a different person (OpenID Connect Core 1.0 §5.7).

import type { Kysely, Selectable } from 'kysely'
import { newId } from '../core/ids.ts'
import { now } from '../core/time.ts'
import type { Database, UsersTable } from './schema.ts'

export type UserRow = Selectable<UsersTable>

export interface Identity {
  issuer: string
  subject: string
  email: string
  emailVerified: boolean
  isAdmin: boolean
}

/** Records a sign-in: creates the user on first sight, and otherwise takes
 * the issuer's current email and admin flag. */
export async function upsertUserFromIdentity(
  db: Kysely<Database>,
  workspaceId: string,
  identity: Identity,
): Promise<UserRow> {
  const at = now()
  const current = {
    email: identity.email.toLowerCase(),
    email_verified: identity.emailVerified ? 1 : 0,
    is_admin: identity.isAdmin ? 1 : 0,
    last_seen_at: at,
  }

  return await db
    .insertInto('users')
    .values({
      id: newId('u'),
      workspace_id: workspaceId,
      issuer: identity.issuer,
      subject: identity.subject,
      created_at: at,
      ...current,
    })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'issuer', 'subject']).doUpdateSet(current),
    )
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function getUserById(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<UserRow | undefined> {
  return await db
    .selectFrom('users')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** Everyone who presents this email, oldest first; more than one when an
 * email moved between subjects. */
export async function findUsersByEmail(
  db: Kysely<Database>,
  workspaceId: string,
  email: string,
): Promise<UserRow[]> {
  return await db
    .selectFrom('users')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('email', '=', email.toLowerCase())
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export async function countUsers(
  db: Kysely<Database>,
  workspaceId: string,
): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow()

  // PostgreSQL returns count(*) as a bigint, which pg hands over as a string.
  return Number(row.count)
}
