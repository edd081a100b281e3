// The access trail's record of a sign-in and a sign-out. Identity calls it
// once a person is signed in (web, CLI code flow, device flow), after the
// user row is recorded, and once a sign-in of theirs ends, so the trail says
// who came and went, how and when. It holds no token, cookie or address:
// only the method.

import type { Kysely } from 'kysely'
import { appendAudit } from '../storage/audit-store.ts'
import type { Database } from '../storage/schema.ts'
import type { Actor } from './policy.ts'

export type SignInMethod = 'web' | 'cli' | 'device' | 'token'

/** `everywhere` ends every web sign-in of the person at once. */
export type SignOutMethod = 'web' | 'everywhere' | 'cli'

export async function auditSignIn(
  db: Kysely<Database>,
  workspaceId: string,
  actor: Actor,
  method: SignInMethod,
): Promise<void> {
  await appendAudit(db, workspaceId, {
    actorId: actor.userId,
    actorEmail: actor.email,
    action: 'user.sign-in',
    targetType: 'user',
    targetId: actor.userId,
    sessionId: null,
    detail: { method },
  })
}

export async function auditSignOut(
  db: Kysely<Database>,
  workspaceId: string,
  actor: Actor,
  method: SignOutMethod,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await appendAudit(db, workspaceId, {
    actorId: actor.userId,
    actorEmail: actor.email,
    action: 'user.sign-out',
    targetType: 'user',
    targetId: actor.userId,
    sessionId: null,
    detail: { method, ...detail },
  })
}
