import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'
import type { Kysely } from 'kysely'
import {
  createAccessToken,
  findAccessTokenByHash,
  listLiveAccessTokens,
  revokeAccessToken,
  touchAccessToken,
} from './access-token-store.ts'
import type { Storage } from './database.ts'
import type { Database } from './schema.ts'
import { storageBackends } from './test-backends.ts'
import { upsertUserFromIdentity, type UserRow } from './user-store.ts'

const ws = 'w_test'
const start = Date.parse('2026-03-01T09:00:00.000Z')
const at = (seconds: number) => new Date(start + seconds * 1000).toISOString()

function person(db: Kysely<Database>, subject: string): Promise<UserRow> {
  return upsertUserFromIdentity(db, ws, {
    issuer: 'https://issuer.test',
    subject,
    email: `${subject}@example.com`,
    emailVerified: true,
    isAdmin: false,
  })
}

for (const backend of storageBackends()) {
  describe(`access tokens on ${backend.name}`, () => {
    let storage: Storage
    let db: Kysely<Database>

    beforeEach(async () => {
      mock.timers.enable({ apis: ['Date'], now: start })
      storage = await backend.open()
      db = storage.db
    })
    afterEach(async () => {
      mock.timers.reset()
      await storage.close()
    })

    test('a token is found by its hash with its owner and times', async () => {
      const ana = await person(db, 'ana')
      const made = await createAccessToken(db, ws, {
        userId: ana.id,
        name: 'ci',
        tokenHash: 'hash-1',
        expiresAt: at(3600),
      })

      const found = await findAccessTokenByHash(db, ws, 'hash-1')
      assert.deepEqual(found, made)
      assert.match(made.id, /^pat_/)
      assert.equal(made.user_id, ana.id)
      assert.equal(made.created_at, at(0))
      assert.equal(made.last_used_at, null)
      assert.equal(await findAccessTokenByHash(db, ws, 'hash-2'), undefined)
      assert.equal(
        await findAccessTokenByHash(db, 'other', 'hash-1'),
        undefined,
      )
    })

    test('the list holds only the owner’s live tokens, newest first', async () => {
      const ana = await person(db, 'ana')
      const bob = await person(db, 'bob')
      const make = (userId: string, name: string, expiresAt: string) =>
        createAccessToken(db, ws, {
          userId,
          name,
          tokenHash: `hash-${name}`,
          expiresAt,
        })
      await make(ana.id, 'old', at(3600))
      mock.timers.tick(1000)
      await make(ana.id, 'new', at(3600))
      await make(ana.id, 'short', at(10))
      const revoked = await make(ana.id, 'revoked', at(3600))
      await make(bob.id, 'bobs', at(3600))
      await revokeAccessToken(db, ws, ana.id, revoked.id)
      mock.timers.tick(20_000)

      const names = (await listLiveAccessTokens(db, ws, ana.id)).map(
        (row) => row.name,
      )
      assert.deepEqual(names, ['new', 'old'])
    })

    test('only the owner revokes a token, and only once', async () => {
      const ana = await person(db, 'ana')
      const bob = await person(db, 'bob')
      const token = await createAccessToken(db, ws, {
        userId: ana.id,
        name: 'ci',
        tokenHash: 'hash-1',
        expiresAt: at(3600),
      })

      assert.equal(await revokeAccessToken(db, ws, bob.id, token.id), false)
      assert.equal(await revokeAccessToken(db, ws, ana.id, token.id), true)
      assert.equal(await revokeAccessToken(db, ws, ana.id, token.id), false)
      const row = await findAccessTokenByHash(db, ws, 'hash-1')
      assert.equal(row?.revoked_at, at(0))
    })

    test('use is recorded as the last-used time', async () => {
      const ana = await person(db, 'ana')
      const token = await createAccessToken(db, ws, {
        userId: ana.id,
        name: 'ci',
        tokenHash: 'hash-1',
        expiresAt: at(3600),
      })
      mock.timers.tick(5000)

      await touchAccessToken(db, ws, token.id)
      const row = await findAccessTokenByHash(db, ws, 'hash-1')
      assert.equal(row?.last_used_at, at(5))
    })

    test('two tokens never share a hash', async () => {
      const ana = await person(db, 'ana')
      const token = {
        userId: ana.id,
        name: 'ci',
        tokenHash: 'hash-1',
        expiresAt: at(3600),
      }
      await createAccessToken(db, ws, token)
      await assert.rejects(createAccessToken(db, ws, token))
    })
  })
}
