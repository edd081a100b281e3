import type { Kysely } from 'kysely'
import type { Actor } from '../access/policy.ts'
import type { Database } from '../storage/schema.ts'
import { bindPendingGrants } from '../storage/grant-store.ts'
import {
  upsertUserFromIdentity,
  type Identity,
  type UserRow,
} from '../storage/user-store.ts'

/** Records that the issuer vouched for this person just now: their user row
 * takes the current email and admin flag, and grants waiting for that
 * (verified) email bind to them. */
export async function recordIdentity(
  db: Kysely<Database>,
  workspaceId: string,
  identity: Identity,
): Promise<UserRow> {
  const user = await upsertUserFromIdentity(db, workspaceId, identity)
  await bindPendingGrants(db, workspaceId, user.id, user.email)
  return user
}

export function actorOf(user: UserRow): Actor {
  return { userId: user.id, email: user.email, isAdmin: user.is_admin === 1 }
}
