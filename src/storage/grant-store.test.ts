// Grants: levels, binding by verified email, one per person, on every backend: SQLite and PostgreSQL return the same shapes.

import assert from 'node:assert/strict'
import { describe, mock, test } from 'node:test'
import type { Kysely } from 'kysely'
import {
  bindPendingGrants,
  getGrantForUser,
  listGrants,
  putGrant,
  relationOf,
  removeGrant,
  removeGrantsForUser,
} from './grant-store.ts'
import { listSessionsForUser } from './session-store.ts'
import {
  at,
  sessionOf,
  signIn,
  useBackend,
  ws,
} from './storage.test-support.ts'
import type { Database } from './schema.ts'
import { storageBackends } from './test-backends.ts'

for (const backend of storageBackends()) {
  describe(`grants on ${backend.name}`, () => {
    let db: Kysely<Database>
    useBackend(backend, (storage) => (db = storage.db))

    test('changes the level of the same email instead of adding a grant', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const session = await sessionOf(db, ada)

      const first = await putGrant(db, ws, {
        sessionId: session.id,
        email: 'Bob@Example.com',
        userId: null,
        level: 'read',
        createdBy: ada.id,
      })
      mock.timers.tick(1000)
      const second = await putGrant(db, ws, {
        sessionId: session.id,
        email: 'bob@EXAMPLE.com',
        userId: null,
        level: 'edit',
        createdBy: ada.id,
      })

      assert.match(first.id, /^g_[a-z2-9]{12}$/)
      assert.deepEqual(first, {
        id: first.id,
        workspace_id: ws,
        session_id: session.id,
        email: 'bob@example.com',
        user_id: null,
        level: 'read',
        created_at: at(0),
        created_by: ada.id,
      })
      assert.deepEqual(second, { ...first, level: 'edit' })
      assert.deepEqual(await listGrants(db, ws, session.id), [
        { ...second, user_email: null },
      ])
    })

    test('removes a grant by email in any case', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const session = await sessionOf(db, ada)
      await putGrant(db, ws, {
        sessionId: session.id,
        email: 'bob@example.com',
        userId: null,
        level: 'read',
        createdBy: ada.id,
      })

      assert.equal(
        await removeGrant(db, ws, session.id, 'BOB@example.com'),
        true,
      )
      assert.equal(
        await removeGrant(db, ws, session.id, 'bob@example.com'),
        false,
      )
      assert.deepEqual(await listGrants(db, ws, session.id), [])
    })

    test('binds a pending grant when its email first signs in', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const session = await sessionOf(db, ada)
      await putGrant(db, ws, {
        sessionId: session.id,
        email: 'carol@example.com',
        userId: null,
        level: 'read',
        createdBy: ada.id,
      })
      const carol = await signIn(db, 'sub-3', 'Carol@example.com')
      assert.equal(await relationOf(db, ws, session.id, carol.id), 'none')

      const bound = await bindPendingGrants(
        db,
        ws,
        carol.id,
        'CAROL@example.com',
      )

      assert.equal(bound, 1)
      assert.equal(await relationOf(db, ws, session.id, carol.id), 'read')
      const [grant] = await listGrants(db, ws, session.id)
      assert.equal(grant?.user_id, carol.id)
      assert.equal(grant?.user_email, 'carol@example.com')
      assert.equal(
        await bindPendingGrants(db, ws, carol.id, 'carol@example.com'),
        0,
      )
    })

    test('keeps a bound grant with its user when a new subject takes the email', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const session = await sessionOf(db, ada)
      const bob = await signIn(db, 'sub-2', 'bob@example.com')
      await putGrant(db, ws, {
        sessionId: session.id,
        email: 'bob@example.com',
        userId: bob.id,
        level: 'edit',
        createdBy: ada.id,
      })
      const impostor = await signIn(db, 'sub-9', 'bob@example.com')

      assert.equal(
        await bindPendingGrants(db, ws, impostor.id, 'bob@example.com'),
        0,
      )
      assert.equal(await relationOf(db, ws, session.id, impostor.id), 'none')
      assert.equal(await relationOf(db, ws, session.id, bob.id), 'edit')
    })

    test('folds a person’s old and new address into one grant at the higher level', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const bob = await signIn(db, 'sub-2', 'bob@example.com')
      const session = await sessionOf(db, ada)
      await putGrant(db, ws, {
        sessionId: session.id,
        email: 'bob@example.com',
        userId: bob.id,
        level: 'read',
        createdBy: ada.id,
      })
      await putGrant(db, ws, {
        sessionId: session.id,
        email: 'robert@example.com',
        userId: null,
        level: 'edit',
        createdBy: ada.id,
      })

      await signIn(db, 'sub-2', 'robert@example.com')
      const bound = await bindPendingGrants(
        db,
        ws,
        bob.id,
        'robert@example.com',
      )

      assert.equal(bound, 1)
      const grants = await listGrants(db, ws, session.id)
      assert.deepEqual(
        grants.map((g) => [g.email, g.user_id, g.level]),
        [['robert@example.com', bob.id, 'edit']],
      )
      await removeGrant(db, ws, session.id, 'robert@example.com')
      assert.equal(await relationOf(db, ws, session.id, bob.id), 'none')
    })

    test('shows the bound user’s current email', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const bob = await signIn(db, 'sub-2', 'bob@example.com')
      const session = await sessionOf(db, ada)
      await putGrant(db, ws, {
        sessionId: session.id,
        email: 'bob@example.com',
        userId: bob.id,
        level: 'read',
        createdBy: ada.id,
      })

      await signIn(db, 'sub-2', 'robert@example.com')

      const [grant] = await listGrants(db, ws, session.id)
      assert.equal(grant?.email, 'bob@example.com')
      assert.equal(grant?.user_email, 'robert@example.com')
    })

    test('derives owner, edit, read and none', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const bob = await signIn(db, 'sub-2', 'bob@example.com')
      const carol = await signIn(db, 'sub-3', 'carol@example.com')
      const dave = await signIn(db, 'sub-4', 'dave@example.com', true)
      const session = await sessionOf(db, ada)
      for (const [user, level] of [
        [bob, 'edit'],
        [carol, 'read'],
      ] as const) {
        await putGrant(db, ws, {
          sessionId: session.id,
          email: user.email,
          userId: user.id,
          level,
          createdBy: ada.id,
        })
      }

      assert.equal(await relationOf(db, ws, session.id, ada.id), 'owner')
      assert.equal(await relationOf(db, ws, session.id, bob.id), 'edit')
      assert.equal(await relationOf(db, ws, session.id, carol.id), 'read')
      assert.equal(await relationOf(db, ws, session.id, dave.id), 'none')
      assert.equal(await relationOf(db, ws, 's_missing', ada.id), 'none')
      assert.equal(await relationOf(db, 'w_other', session.id, ada.id), 'none')
      assert.equal(
        (await getGrantForUser(db, ws, session.id, bob.id))?.level,
        'edit',
      )
      assert.equal(
        await getGrantForUser(db, ws, session.id, dave.id),
        undefined,
      )
    })

    test('takes the strongest of two grants bound to one user', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const bob = await signIn(db, 'sub-2', 'bob@example.com')
      const session = await sessionOf(db, ada)
      for (const [email, level] of [
        ['bob@example.com', 'read'],
        ['robert@example.com', 'edit'],
      ] as const) {
        await putGrant(db, ws, {
          sessionId: session.id,
          email,
          userId: bob.id,
          level,
          createdBy: ada.id,
        })
      }

      assert.equal(await relationOf(db, ws, session.id, bob.id), 'edit')
      const shared = await listSessionsForUser(db, ws, bob.id, 'shared')
      assert.deepEqual(
        shared.map((s) => s.level),
        ['edit'],
      )

      assert.equal(await removeGrantsForUser(db, ws, session.id, bob.id), 2)
      assert.equal(await relationOf(db, ws, session.id, bob.id), 'none')
    })
  })
}
