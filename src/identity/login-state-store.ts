// Web sign-ins in flight: the state, nonce and PKCE verifier the relying
// party made before sending the browser to the issuer. Each is read once and
// deleted in the same statement, so a replayed callback finds nothing.

import type { Kysely } from 'kysely'
import { isoAfter, now } from '../core/time.ts'
import type { Database } from '../storage/schema.ts'

export interface LoginState {
  state: string
  nonce: string
  codeVerifier: string
  returnTo: string
}

/** How long a person has to finish signing in at the issuer. */
export const loginStateTtlMs = 15 * 60 * 1000

export async function saveLoginState(
  db: Kysely<Database>,
  workspaceId: string,
  login: LoginState,
): Promise<void> {
  // Abandoned sign-ins are swept here rather than by a timer.
  await db
    .deleteFrom('login_states')
    .where('created_at', '<', isoAfter(-loginStateTtlMs))
    .execute()

  await db
    .insertInto('login_states')
    .values({
      state: login.state,
      workspace_id: workspaceId,
      nonce: login.nonce,
      code_verifier: login.codeVerifier,
      return_to: login.returnTo,
      created_at: now(),
    })
    .execute()
}

/** The login state, deleted as it is read; undefined when it is unknown,
 * already used or too old. */
export async function takeLoginState(
  db: Kysely<Database>,
  workspaceId: string,
  state: string,
): Promise<LoginState | undefined> {
  const row = await db
    .deleteFrom('login_states')
    .where('workspace_id', '=', workspaceId)
    .where('state', '=', state)
    .returningAll()
    .executeTakeFirst()
  if (row === undefined) return undefined
  if (row.created_at < isoAfter(-loginStateTtlMs)) return undefined

  return {
    state: row.state,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    returnTo: row.return_to,
  }
}
