// The built-in workspace's own user directory. A directory user's id is the
// `sub` the built-in issuer puts in its tokens, so it never changes even if
// the email does.

import type { Kysely, Selectable } from 'kysely'
import { normalizeEmail } from '../core/email.ts'
import { OmniError } from '../core/errors.ts'
import { newId } from '../core/ids.ts'
import { now } from '../core/time.ts'
import type { Database, DirectoryUsersTable } from '../storage/schema.ts'
import { isUniqueViolation } from '../storage/unique-violation.ts'
import { hashPassword, verifyPassword } from './password-hash.ts'

export type DirectoryUser = Omit<
  Selectable<DirectoryUsersTable>,
  'password_hash'
>

export interface NewDirectoryUser {
  email: string
  password: string
  admin: boolean
}

export const minPasswordLength = 8

// Verifying against this when the email is unknown keeps the answer time the
// same, so timing does not tell which emails have an account.
const decoyHash = hashPassword('decoy password that never matches')

export async function addDirectoryUser(
  db: Kysely<Database>,
  workspaceId: string,
  user: NewDirectoryUser,
): Promise<DirectoryUser> {
  const email = normalizeEmail(user.email)
  checkPassword(user.password)

  const row = {
    id: newId('du'),
    workspace_id: workspaceId,
    email,
    is_admin: user.admin ? 1 : 0,
    created_at: now(),
  }
  const password_hash = await hashPassword(user.password)

  try {
    await db
      .insertInto('directory_users')
      .values({ ...row, password_hash })
      .execute()
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new OmniError('conflict', `${email} is already in the directory.`)
    }
    throw error
  }
  return row
}

/** The user when the password matches, else undefined (for an unknown email
 * too: the caller says "wrong email or password" either way). */
export async function verifyDirectoryPassword(
  db: Kysely<Database>,
  workspaceId: string,
  email: string,
  password: string,
): Promise<DirectoryUser | undefined> {
  const row = await db
    .selectFrom('directory_users')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst()

  const stored = row?.password_hash ?? (await decoyHash)
  const matches = await verifyPassword(password, stored)
  if (row === undefined || !matches) return undefined

  const { password_hash: _, ...user } = row
  return user
}

export async function getDirectoryUser(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<DirectoryUser | undefined> {
  return await db
    .selectFrom('directory_users')
    .select(['id', 'workspace_id', 'email', 'is_admin', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function isDirectoryEmpty(
  db: Kysely<Database>,
  workspaceId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('directory_users')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .limit(1)
    .executeTakeFirst()
  return row === undefined
}

function checkPassword(password: string): void {
  if (password.length < minPasswordLength) {
    throw new OmniError(
      'invalid_input',
      `The password must be at least ${minPasswordLength} characters.`,
    )
  }
}
