// One suite, every backend: each store behaviour runs on SQLite and on
// PostgreSQL and must return the same JavaScript shapes on both. Grants,
// events and the audit trail have their own files beside their stores.

import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'
import { sql, type Kysely } from 'kysely'
import type { OmniError } from '../core/errors.ts'
import { openDatabase, type Storage } from './database.ts'
import { appendEvent, listEvents } from './event-store.ts'
import { listGrants, putGrant, relationOf } from './grant-store.ts'
import {
  findHostByName,
  getHost,
  listHostsByOwner,
  registerHost,
  removeHost,
  touchHost,
} from './host-store.ts'
import type { Database } from './schema.ts'
import {
  deleteSession,
  getSession,
  listSessionsForUser,
  renameSession,
} from './session-store.ts'
import { getSetting, putSetting } from './settings-store.ts'
import {
  at,
  issuer,
  rejection,
  sessionOf,
  signIn,
  start,
  ws,
} from './storage.test-support.ts'
import { storageBackends } from './test-backends.ts'
import {
  countUsers,
  findUsersByEmail,
  getUserById,
  upsertUserFromIdentity,
} from './user-store.ts'

describe('openDatabase', () => {
  test('refuses a databaseUrl that is not a PostgreSQL URL', async () => {
    for (const databaseUrl of ['mysql://db/x', 'not a url', '']) {
      await assert.rejects(openDatabase({ databaseUrl }), {
        message: 'databaseUrl must be a postgres:// or postgresql:// URL',
      })
    }
  })

  test('keeps a password in databaseUrl out of the error', async () => {
    await assert.rejects(
      openDatabase({ databaseUrl: 'mysql://me:hunter2@db/x' }),
      (error: Error) => !error.message.includes('hunter2'),
    )
  })

  test('refuses an empty sqlitePath', async () => {
    await assert.rejects(openDatabase({ sqlitePath: ' ' }), {
      message: 'sqlitePath must be a file path or ":memory:"',
    })
  })

  test('refuses both options at once', async () => {
    const both = { sqlitePath: ':memory:', databaseUrl: 'postgres://x/y' }
    await assert.rejects(openDatabase(both), {
      message: 'openDatabase: give either sqlitePath or databaseUrl',
    })
  })

  test('names sqlitePath when the file cannot be opened', async () => {
    await assert.rejects(
      openDatabase({ sqlitePath: '/nonexistent-dir/omni.db' }),
      /^Error: sqlitePath: cannot open \/nonexistent-dir\/omni\.db/,
    )
  })

  test('opens a SQLite file with WAL, foreign keys and a busy timeout', async () => {
    const place = await storageBackends()[0]!.place()
    const storage = await openDatabase(place.options)
    try {
      const pragma = async (name: string) => {
        const { rows } = await sql.raw(`PRAGMA ${name}`).execute(storage.db)
        return Object.values(rows[0] as object)[0]
      }
      assert.equal(await pragma('journal_mode'), 'wal')
      assert.equal(await pragma('foreign_keys'), 1)
      assert.equal(await pragma('busy_timeout'), 5000)
    } finally {
      await storage.close()
      await place.cleanup()
    }
  })

  test('opens an in-memory SQLite database', async () => {
    const storage = await openDatabase({ sqlitePath: ':memory:' })
    assert.equal(storage.dialect, 'sqlite')
    assert.equal(await countUsers(storage.db, ws), 0)
    await storage.close()
    await storage.close()
  })
})

for (const backend of storageBackends()) {
  describe(backend.name, () => {
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

    test('reports its dialect', () => {
      assert.equal(storage.dialect, backend.name)
    })

    test('migrations run again on reopen without losing data', async () => {
      const place = await backend.place()
      try {
        const first = await openDatabase(place.options)
        await putSetting(first.db, ws, 'enabled', 'true')
        await first.close()

        const second = await openDatabase(place.options)
        assert.equal(await getSetting(second.db, ws, 'enabled'), 'true')
        await second.close()
      } finally {
        await place.cleanup()
      }
    })

    describe('settings', () => {
      test('puts, replaces and reads a setting per workspace', async () => {
        assert.equal(await getSetting(db, ws, 'enabled'), undefined)

        await putSetting(db, ws, 'enabled', 'true')
        await putSetting(db, ws, 'enabled', 'false')

        assert.equal(await getSetting(db, ws, 'enabled'), 'false')
        assert.equal(await getSetting(db, 'w_other', 'enabled'), undefined)
      })
    })

    describe('users', () => {
      test('creates a user with a lower-cased email', async () => {
        const user = await signIn(db, 'sub-1', 'Ada@Example.COM', true)

        assert.match(user.id, /^u_[a-z2-9]{12}$/)
        assert.deepEqual(user, {
          id: user.id,
          workspace_id: ws,
          issuer,
          subject: 'sub-1',
          email: 'ada@example.com',
          email_verified: 1,
          is_admin: 1,
          created_at: at(0),
          last_seen_at: at(0),
        })
        assert.deepEqual(await getUserById(db, ws, user.id), user)
        assert.equal(await getUserById(db, 'w_other', user.id), undefined)
      })

      test('keeps the id when the subject signs in with a new email', async () => {
        const first = await signIn(db, 'sub-1', 'ada@example.com', true)
        mock.timers.tick(5000)

        const again = await upsertUserFromIdentity(db, ws, {
          issuer,
          subject: 'sub-1',
          email: 'Ada.L@example.com',
          emailVerified: false,
          isAdmin: false,
        })

        assert.deepEqual(again, {
          ...first,
          email: 'ada.l@example.com',
          email_verified: 0,
          is_admin: 0,
          last_seen_at: at(5),
        })
        assert.equal(await countUsers(db, ws), 1)
      })

      test('treats a new subject with a used email as another user', async () => {
        const old = await signIn(db, 'sub-1', 'ada@example.com')
        const other = await signIn(db, 'sub-2', 'ADA@example.com')
        const elsewhere = await upsertUserFromIdentity(db, ws, {
          issuer: 'https://other.test',
          subject: 'sub-1',
          email: 'ada@example.com',
          emailVerified: true,
          isAdmin: false,
        })

        assert.notEqual(other.id, old.id)
        assert.notEqual(elsewhere.id, old.id)
        assert.equal(await countUsers(db, ws), 3)
        const found = await findUsersByEmail(db, ws, 'Ada@Example.com')
        assert.deepEqual(
          found.map((u) => u.id).sort(),
          [old.id, other.id, elsewhere.id].sort(),
        )
      })

      test('counts users as a number', async () => {
        assert.equal(await countUsers(db, ws), 0)
        await signIn(db, 'sub-1', 'a@example.com')
        await signIn(db, 'sub-2', 'b@example.com')
        assert.strictEqual(await countUsers(db, ws), 2)
        assert.strictEqual(await countUsers(db, 'w_other'), 0)
      })
    })

    describe('hosts', () => {
      test('registers a host under its own id', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')

        const host = await registerHost(db, ws, {
          id: 'host-abc',
          ownerId: ada.id,
          name: 'laptop',
        })

        assert.deepEqual(host, {
          id: 'host-abc',
          workspace_id: ws,
          owner_id: ada.id,
          name: 'laptop',
          created_at: at(0),
          last_seen_at: null,
          removed_at: null,
        })
        assert.deepEqual(await getHost(db, ws, 'host-abc'), host)
        assert.deepEqual(await findHostByName(db, ws, ada.id, 'laptop'), host)
      })

      test("refuses another owner's host id with host_taken", async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const bob = await signIn(db, 'sub-2', 'bob@example.com')
        await registerHost(db, ws, { id: 'h1', ownerId: ada.id, name: 'box' })

        const error = await rejection(
          registerHost(db, ws, { id: 'h1', ownerId: bob.id, name: 'mine' }),
        )

        assert.equal(error.code, 'host_taken')
        assert.equal(
          error.message,
          'This host id is registered to another user.',
        )
        const host = await getHost(db, ws, 'h1')
        assert.equal(host?.owner_id, ada.id)
        assert.equal(host?.name, 'box')
      })

      test('lets exactly one of two racing owners take an id', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const bob = await signIn(db, 'sub-2', 'bob@example.com')

        const results = await Promise.allSettled([
          registerHost(db, ws, { id: 'h1', ownerId: ada.id, name: 'a' }),
          registerHost(db, ws, { id: 'h1', ownerId: bob.id, name: 'b' }),
        ])

        const won = results.filter((r) => r.status === 'fulfilled')
        const lost = results.filter((r) => r.status === 'rejected')
        assert.equal(won.length, 1)
        assert.equal(lost.length, 1)
        assert.equal((lost[0]?.reason as OmniError).code, 'host_taken')
        const winner = won[0]?.value
        assert.equal((await getHost(db, ws, 'h1'))?.owner_id, winner?.owner_id)
      })

      test('renames and restores a host its owner registers again', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        await registerHost(db, ws, { id: 'h1', ownerId: ada.id, name: 'old' })
        assert.equal(await removeHost(db, ws, 'h1'), true)
        assert.equal(await removeHost(db, ws, 'h1'), false)
        assert.equal((await getHost(db, ws, 'h1'))?.removed_at, at(0))

        const again = await registerHost(db, ws, {
          id: 'h1',
          ownerId: ada.id,
          name: 'new',
        })

        assert.equal(again.name, 'new')
        assert.equal(again.removed_at, null)
        assert.deepEqual(await listHostsByOwner(db, ws, ada.id), [again])
      })

      test('lists and finds only hosts that are not removed', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const bob = await signIn(db, 'sub-2', 'bob@example.com')
        await registerHost(db, ws, { id: 'h1', ownerId: ada.id, name: 'b' })
        await registerHost(db, ws, { id: 'h2', ownerId: ada.id, name: 'a' })
        await registerHost(db, ws, { id: 'h3', ownerId: ada.id, name: 'c' })
        await registerHost(db, ws, { id: 'h4', ownerId: bob.id, name: 'd' })

        await removeHost(db, ws, 'h3')

        const listed = await listHostsByOwner(db, ws, ada.id)
        assert.deepEqual(
          listed.map((h) => h.id),
          ['h2', 'h1'],
        )
        assert.equal(await findHostByName(db, ws, ada.id, 'c'), undefined)
        assert.equal(await findHostByName(db, ws, bob.id, 'a'), undefined)
        assert.equal((await getHost(db, ws, 'h3'))?.name, 'c')
      })

      test('refuses a second live host with the same name', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        await registerHost(db, ws, { id: 'h1', ownerId: ada.id, name: 'box' })

        const error = await rejection(
          registerHost(db, ws, { id: 'h2', ownerId: ada.id, name: 'box' }),
        )

        assert.equal(error.code, 'conflict')
        assert.equal(error.message, 'You already have a host named "box".')
        assert.equal(await getHost(db, ws, 'h2'), undefined)

        await removeHost(db, ws, 'h1')
        const reused = await registerHost(db, ws, {
          id: 'h2',
          ownerId: ada.id,
          name: 'box',
        })
        assert.equal(reused.name, 'box')
      })

      test('records when a host was last seen', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        await registerHost(db, ws, { id: 'h1', ownerId: ada.id, name: 'box' })
        mock.timers.tick(3000)

        await touchHost(db, ws, 'h1')

        assert.equal((await getHost(db, ws, 'h1'))?.last_seen_at, at(3))
      })
    })

    describe('sessions', () => {
      test('creates, reads and renames a session', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const session = await sessionOf(db, ada, 'first')

        assert.match(session.id, /^s_[a-z2-9]{12}$/)
        assert.deepEqual(session, {
          id: session.id,
          workspace_id: ws,
          owner_id: ada.id,
          host_id: `h_${ada.id}`,
          dir: '/src',
          title: 'first',
          created_at: at(0),
          updated_at: at(0),
        })
        mock.timers.tick(2000)

        const renamed = await renameSession(db, ws, session.id, 'second')

        const expected = { ...session, title: 'second', updated_at: at(2) }
        assert.deepEqual(renamed, expected)
        assert.deepEqual(await getSession(db, ws, session.id), expected)
        assert.equal(await renameSession(db, ws, 's_missing', 'x'), undefined)
        assert.equal(await getSession(db, 'w_other', session.id), undefined)
      })

      test('lists mine, shared and all, newest first', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const bob = await signIn(db, 'sub-2', 'bob@example.com')
        const older = await sessionOf(db, ada, 'older')
        mock.timers.tick(1000)
        const sharedRead = await sessionOf(db, bob, 'bob read')
        mock.timers.tick(1000)
        const newer = await sessionOf(db, ada, 'newer')
        mock.timers.tick(1000)
        const sharedEdit = await sessionOf(db, bob, 'bob edit')
        await sessionOf(db, bob, 'bob private')
        for (const [session, level] of [
          [sharedRead, 'read'],
          [sharedEdit, 'edit'],
        ] as const) {
          await putGrant(db, ws, {
            sessionId: session.id,
            email: 'ada@example.com',
            userId: ada.id,
            level,
            createdBy: bob.id,
          })
        }

        const mine = await listSessionsForUser(db, ws, ada.id, 'mine')
        const shared = await listSessionsForUser(db, ws, ada.id, 'shared')
        const all = await listSessionsForUser(db, ws, ada.id, 'all')

        const summary = (rows: typeof all) =>
          rows.map((r) => [r.title, r.level, r.owner_email, r.host_name])
        assert.deepEqual(summary(mine), [
          ['newer', 'owner', 'ada@example.com', 'box'],
          ['older', 'owner', 'ada@example.com', 'box'],
        ])
        assert.deepEqual(summary(shared), [
          ['bob edit', 'edit', 'bob@example.com', 'box'],
          ['bob read', 'read', 'bob@example.com', 'box'],
        ])
        assert.deepEqual(
          all.map((r) => r.id),
          [sharedEdit.id, newer.id, sharedRead.id, older.id],
        )
        assert.deepEqual(mine[0], {
          ...newer,
          owner_email: 'ada@example.com',
          host_name: 'box',
          level: 'owner',
        })
      })

      test('leaves pending grants out of the shared list', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const bob = await signIn(db, 'sub-2', 'bob@example.com')
        const session = await sessionOf(db, bob)
        await putGrant(db, ws, {
          sessionId: session.id,
          email: 'ada@example.com',
          userId: null,
          level: 'edit',
          createdBy: bob.id,
        })

        assert.deepEqual(
          await listSessionsForUser(db, ws, ada.id, 'shared'),
          [],
        )
      })

      test('deletes a session with its grants and events', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const bob = await signIn(db, 'sub-2', 'bob@example.com')
        const doomed = await sessionOf(db, ada, 'doomed')
        const kept = await sessionOf(db, ada, 'kept')
        for (const session of [doomed, kept]) {
          await putGrant(db, ws, {
            sessionId: session.id,
            email: 'bob@example.com',
            userId: bob.id,
            level: 'edit',
            createdBy: ada.id,
          })
          await appendEvent(db, ws, {
            sessionId: session.id,
            turnId: null,
            kind: 'message',
            authorId: ada.id,
            payload: { text: 'hi' },
          })
        }

        assert.equal(await deleteSession(db, ws, doomed.id), true)

        assert.equal(await getSession(db, ws, doomed.id), undefined)
        assert.deepEqual(await listGrants(db, ws, doomed.id), [])
        assert.deepEqual(await listEvents(db, ws, doomed.id, 0), [])
        assert.equal(await relationOf(db, ws, doomed.id, bob.id), 'none')
        assert.equal((await listGrants(db, ws, kept.id)).length, 1)
        assert.equal((await listEvents(db, ws, kept.id, 0)).length, 1)
        assert.equal(await deleteSession(db, ws, doomed.id), false)
      })
    })
  })
}
