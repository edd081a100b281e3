// One suite, every backend: each store behaviour runs on SQLite and on
// PostgreSQL and must return the same JavaScript shapes on both.

import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'
import { sql, type Kysely } from 'kysely'
import { OmniError } from '../core/errors.ts'
import { appendAudit, listAudit } from './audit-store.ts'
import { openDatabase, type Storage } from './database.ts'
import {
  appendEvent,
  lastSeq,
  listEvents,
  listUnfinishedTurns,
} from './event-store.ts'
import {
  bindPendingGrants,
  getGrantForUser,
  listGrants,
  putGrant,
  relationOf,
  removeGrant,
  removeGrantsForUser,
} from './grant-store.ts'
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
  createSession,
  deleteSession,
  getSession,
  listSessionsForUser,
  renameSession,
  type SessionRow,
} from './session-store.ts'
import { getSetting, putSetting } from './settings-store.ts'
import { storageBackends } from './test-backends.ts'
import {
  countUsers,
  findUsersByEmail,
  getUserById,
  upsertUserFromIdentity,
  type UserRow,
} from './user-store.ts'

const ws = 'w_test'
const issuer = 'https://issuer.test/oidc'
const start = Date.parse('2026-03-01T09:00:00.000Z')

/** The ISO time `seconds` after the frozen start. */
const at = (seconds: number) => new Date(start + seconds * 1000).toISOString()

function signIn(
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

async function sessionOf(
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

async function rejection(promise: Promise<unknown>): Promise<OmniError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof OmniError, `not an OmniError: ${error}`)
    return error
  }
  assert.fail('expected a rejection')
}

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

    describe('grants', () => {
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
        assert.equal(
          await relationOf(db, 'w_other', session.id, ada.id),
          'none',
        )
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

    describe('events', () => {
      test('numbers events 1, 2, 3 per session', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const one = await sessionOf(db, ada)
        const two = await sessionOf(db, ada)
        assert.equal(await lastSeq(db, ws, one.id), 0)

        const seqs = []
        for (const text of ['a', 'b', 'c']) {
          const event = await appendEvent(db, ws, {
            sessionId: one.id,
            turnId: 't_1',
            kind: 'message',
            authorId: ada.id,
            payload: { text },
          })
          seqs.push(event.seq)
        }
        const other = await appendEvent(db, ws, {
          sessionId: two.id,
          turnId: null,
          kind: 'message',
          authorId: null,
          payload: { text: 'x' },
        })

        assert.deepEqual(seqs, [1, 2, 3])
        assert.strictEqual(other.seq, 1)
        assert.strictEqual(await lastSeq(db, ws, one.id), 3)
      })

      test('stores the payload as JSON text and returns the row', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const session = await sessionOf(db, ada)

        const event = await appendEvent(db, ws, {
          sessionId: session.id,
          turnId: 't_1',
          kind: 'tool.call',
          authorId: null,
          payload: { callId: 'c1', tool: 'read', args: { path: 'a.ts' } },
        })

        assert.deepEqual(event, {
          workspace_id: ws,
          session_id: session.id,
          seq: 1,
          turn_id: 't_1',
          kind: 'tool.call',
          author_id: null,
          payload: '{"callId":"c1","tool":"read","args":{"path":"a.ts"}}',
          created_at: at(0),
        })
      })

      test('pages after a seq with a limit, in order', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const session = await sessionOf(db, ada)
        for (let i = 1; i <= 5; i++) {
          await appendEvent(db, ws, {
            sessionId: session.id,
            turnId: null,
            kind: 'message',
            authorId: ada.id,
            payload: { text: `m${i}` },
          })
        }

        const page = await listEvents(db, ws, session.id, 1, 2)
        const rest = await listEvents(db, ws, session.id, 3)

        assert.deepEqual(
          page.map((e) => [e.seq, e.payload]),
          [
            [2, '{"text":"m2"}'],
            [3, '{"text":"m3"}'],
          ],
        )
        assert.deepEqual(
          rest.map((e) => e.seq),
          [4, 5],
        )
        assert.deepEqual(await listEvents(db, ws, session.id, 5), [])
        assert.deepEqual(await listEvents(db, 'w_other', session.id, 0), [])
      })

      test('lists the turns that have a message and no end', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const one = await sessionOf(db, ada)
        const two = await sessionOf(db, ada)
        const event = (sessionId: string, turnId: string, kind: string) =>
          appendEvent(db, ws, {
            sessionId,
            turnId,
            kind,
            authorId: kind === 'message' ? ada.id : null,
            payload: kind === 'turn.end' ? { status: 'completed' } : {},
          })
        await event(one.id, 't_done', 'message')
        await event(one.id, 't_done', 'assistant.text')
        await event(one.id, 't_done', 'turn.end')
        await event(one.id, 't_open', 'message')
        await event(one.id, 't_open', 'tool.call')
        await event(two.id, 't_other', 'message')

        const open = await listUnfinishedTurns(db, ws)

        assert.deepEqual(
          open.map((turn) => [turn.session_id, turn.turn_id]).sort(),
          [
            [one.id, 't_open'],
            [two.id, 't_other'],
          ].sort(),
        )
        assert.deepEqual(await listUnfinishedTurns(db, 'w_other'), [])
      })

      test("joins the author's current email", async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const session = await sessionOf(db, ada)
        const stored = await appendEvent(db, ws, {
          sessionId: session.id,
          turnId: null,
          kind: 'message',
          authorId: ada.id,
          payload: { text: 'hi' },
        })
        await appendEvent(db, ws, {
          sessionId: session.id,
          turnId: null,
          kind: 'assistant.text',
          authorId: null,
          payload: { text: 'hello' },
        })
        await signIn(db, 'sub-1', 'ada.l@example.com')

        const [mine, agent] = await listEvents(db, ws, session.id, 0)

        assert.deepEqual(mine, { ...stored, author_email: 'ada.l@example.com' })
        assert.equal(agent?.author_email, null)
      })

      test('never gives two racing appends the same seq', async () => {
        const ada = await signIn(db, 'sub-1', 'ada@example.com')
        const session = await sessionOf(db, ada)

        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) =>
            appendEvent(db, ws, {
              sessionId: session.id,
              turnId: null,
              kind: 'message',
              authorId: ada.id,
              payload: { i },
            }),
          ),
        )

        const stored = results.flatMap((r) =>
          r.status === 'fulfilled' ? [r.value.seq] : [],
        )
        assert.ok(stored.length >= 1)
        assert.equal(new Set(stored).size, stored.length)
        for (const r of results) {
          if (r.status === 'fulfilled') continue
          assert.equal((r.reason as OmniError).code, 'conflict')
          assert.equal(
            (r.reason as OmniError).message,
            'Another event was stored for this session at the same time.',
          )
        }
        const listed = await listEvents(db, ws, session.id, 0)
        assert.deepEqual(
          listed.map((e) => e.seq),
          stored.sort((a, b) => a - b),
        )
      })
    })

    describe('audit', () => {
      test('appends entries and lists them oldest first', async () => {
        const first = await appendAudit(db, ws, {
          actorId: 'u_1',
          actorEmail: 'ada@example.com',
          action: 'session.share',
          targetType: 'session',
          targetId: 's_1',
          sessionId: 's_1',
          detail: { email: 'bob@example.com', level: 'read' },
        })
        await appendAudit(db, ws, {
          actorId: null,
          actorEmail: null,
          action: 'workspace.enable',
          targetType: 'workspace',
          targetId: ws,
          sessionId: null,
        })
        await appendAudit(db, ws, {
          actorId: 'u_1',
          actorEmail: 'ada@example.com',
          action: 'session.rename',
          targetType: 'session',
          targetId: 's_1',
          sessionId: 's_1',
        })
        await appendAudit(db, 'w_other', {
          actorId: null,
          actorEmail: null,
          action: 'x',
          targetType: 'x',
          targetId: 'x',
          sessionId: 's_1',
        })

        assert.equal(typeof first.id, 'number')
        assert.deepEqual(first, {
          id: first.id,
          workspace_id: ws,
          at: at(0),
          actor_id: 'u_1',
          actor_email: 'ada@example.com',
          action: 'session.share',
          target_type: 'session',
          target_id: 's_1',
          session_id: 's_1',
          detail: '{"email":"bob@example.com","level":"read"}',
        })
        const all = await listAudit(db, ws)
        assert.deepEqual(
          all.map((a) => a.action),
          ['session.share', 'workspace.enable', 'session.rename'],
        )
        assert.equal(all[1]?.detail, '{}')
        const forSession = await listAudit(db, ws, { sessionId: 's_1' })
        assert.deepEqual(
          forSession.map((a) => a.action),
          ['session.share', 'session.rename'],
        )
        const latest = await listAudit(db, ws, { limit: 2 })
        assert.deepEqual(
          latest.map((a) => a.action),
          ['workspace.enable', 'session.rename'],
        )
      })

      test('filters by actor before the limit and pages back by id', async () => {
        const mine = await appendAudit(db, ws, {
          actorId: 'u_1',
          actorEmail: 'ada@example.com',
          action: 'session.create',
          targetType: 'session',
          targetId: 's_1',
          sessionId: 's_1',
        })
        for (let i = 0; i < 5; i++) {
          await appendAudit(db, ws, {
            actorId: 'u_2',
            actorEmail: 'bob@example.com',
            action: 'session.rename',
            targetType: 'session',
            targetId: 's_2',
            sessionId: 's_2',
          })
        }

        const own = await listAudit(db, ws, { actorId: 'u_1', limit: 2 })
        assert.deepEqual(
          own.map((a) => a.id),
          [mine.id],
        )

        const newest = await listAudit(db, ws, { limit: 2 })
        const older = await listAudit(db, ws, {
          limit: 2,
          beforeId: newest[0]!.id,
        })
        assert.equal(older.length, 2)
        assert.ok(older[1]!.id < newest[0]!.id)
        const oldest = await listAudit(db, ws, {
          limit: 2,
          beforeId: older[0]!.id,
        })
        assert.deepEqual(
          oldest.map((a) => a.action),
          ['session.create', 'session.rename'],
        )
      })
    })
  })
}
