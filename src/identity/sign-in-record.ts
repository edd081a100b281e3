// Records that the issuer vouched for a person: their user row takes the
// current email and admin flag, grants waiting for that (verified) email
// bind to them, and the access trail notes each sign-in.
//
// Bearer requests come many times a minute, so the recorder remembers what
// it last wrote per (issuer, subject) and writes again only when the claims
// change or the record is older than `refreshMs`. The first sight of a
// person is never cached, so pending grants always bind on it.

import type { Kysely } from 'kysely'
import { auditSignIn, type SignInMethod } from '../access/sign-in-audit.ts'
import type { Actor } from '../access/policy.ts'
import type { Database } from '../storage/schema.ts'
import { bindPendingGrants } from '../storage/grant-store.ts'
import {
  upsertUserFromIdentity,
  type Identity,
  type UserRow,
} from '../storage/user-store.ts'

export interface IdentityRecorderOptions {
  db: Kysely<Database>
  workspaceId: string
  refreshMs?: number
  maxEntries?: number
}

export interface IdentityRecorder {
  /** An interactive sign-in: always written and audited. */
  signIn(identity: Identity, method: SignInMethod): Promise<UserRow>
  /** A request carrying an issuer's token or a proxy's headers: written
   * when something changed, audited the first time this person is seen. */
  seen(identity: Identity, method: SignInMethod): Promise<UserRow>
}

interface Remembered {
  email: string
  isAdmin: boolean
  user: UserRow
  at: number
}

export function createIdentityRecorder(
  options: IdentityRecorderOptions,
): IdentityRecorder {
  const { db, workspaceId } = options
  const refreshMs = options.refreshMs ?? 5 * 60_000
  const maxEntries = options.maxEntries ?? 10_000
  const remembered = new Map<string, Remembered>()

  async function write(identity: Identity): Promise<UserRow> {
    const user = await recordIdentity(db, workspaceId, identity)
    const key = keyOf(identity)
    remembered.delete(key)
    remembered.set(key, {
      email: user.email,
      isAdmin: user.is_admin === 1,
      user,
      at: Date.now(),
    })
    while (remembered.size > maxEntries) {
      const oldest = remembered.keys().next().value
      if (oldest === undefined) break
      remembered.delete(oldest)
    }
    return user
  }

  const recorder: IdentityRecorder = {
    async signIn(identity, method) {
      const user = await write(identity)
      await auditSignIn(db, workspaceId, actorOf(user), method)
      return user
    },

    async seen(identity, method) {
      const last = remembered.get(keyOf(identity))
      const unchanged =
        last !== undefined &&
        last.email === identity.email.toLowerCase() &&
        last.isAdmin === identity.isAdmin &&
        Date.now() - last.at < refreshMs
      if (unchanged) return last.user

      const user = await write(identity)
      // Equal times mean the upsert inserted the row: a new person.
      if (user.created_at === user.last_seen_at) {
        await auditSignIn(db, workspaceId, actorOf(user), method)
      }
      return user
    },
  }
  return Object.freeze(recorder)
}

function keyOf(identity: Identity): string {
  return `${identity.issuer}\u0000${identity.subject}`
}

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
