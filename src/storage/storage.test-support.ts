// What every storage test file shares: a frozen clock, a workspace, people
// signed in through the real user store, and a fresh database per test on
// each backend.

import assert from 'node:assert/strict'
import { afterEach, beforeEach, mock } from 'node:test'
import type { Kysely } from 'kysely'
import { OmniError } from '../core/errors.ts'
import type { Storage } from './database.ts'
import { registerHost } from './host-store.ts'
import type { Database } from './schema.ts'
import { createSession, type SessionRow } from './session-store.ts'
import type { StorageBackend } from './test-backends.ts'
import { upsertUserFromIdentity, type UserRow } from './user-store.ts'

export const ws = 'w_test'
export const issuer = 'https://issuer.test/oidc'
export const start = Date.parse('2026-03-01T09:00:00.000Z')

/** The ISO time `seconds` after the frozen start. */
export const at = (seconds: number) =>
  new Date(start + seconds * 1000).toISOString()

/** Opens an empty, migrated database before each test of the enclosing
 * suite, with Date frozen at `start`, and closes it after. */
export function useBackend(
  backend: StorageBackend,
  opened: (storage: Storage) => void,
): void {
  let storage: Storage | undefined

  beforeEach(async () => {
    mock.timers.enable({ apis: ['Date'], now: start })
    storage = await backend.open()
    opened(storage)
  })

  afterEach(async () => {
    mock.timers.reset()
    await storage?.close()
  })
}

export function signIn(
  db: Kysely<Database>,
  subject: string,
  email: string,
  isAdmin = false,
): Promise<UserRow> {
  return upsertUserFromIdentity(db, ws, {
    issuer,
    subject,
    email,
    emailVerified: true,
    isAdmin,
  })
}

export async function sessionOf(
  db: Kysely<Database>,
  owner: UserRow,
  title = 'work',
): Promise<SessionRow> {
  const hostId = `h_${owner.id}`
  await registerHost(db, ws, { id: hostId, ownerId: owner.id, name: 'box' })
  return createSession(db, ws, {
    ownerId: owner.id,
    hostId,
    dir: '/src',
    title,
  })
}

export async function rejection(promise: Promise<unknown>): Promise<OmniError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof OmniError, `not an OmniError: ${error}`)
    return error
  }
  assert.fail('expected a rejection')
}
