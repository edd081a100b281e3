import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Actor } from '../access/policy.ts'
import { OmniError } from '../core/errors.ts'
import type { ServerToHost } from '../protocol/host-tunnel.ts'
import type { Storage } from '../storage/database.ts'
import { listAudit } from '../storage/audit-store.ts'
import { listGrants } from '../storage/grant-store.ts'
import { registerHost, removeHost } from '../storage/host-store.ts'
import { storageBackends } from '../storage/test-backends.ts'
import { upsertUserFromIdentity } from '../storage/user-store.ts'
import { EventLog } from './event-log.ts'
import { HostRegistry } from './host-registry.ts'
import { LiveHub, type LiveListener } from './live-hub.ts'
import { SessionService } from './session-service.ts'

const ws = 'default'

async function person(storage: Storage, email: string, isAdmin = false) {
  const row = await upsertUserFromIdentity(storage.db, ws, {
    issuer: 'https://issuer.test',
    subject: `sub-${email}`,
    email,
    emailVerified: true,
    isAdmin,
  })
  return { userId: row.id, email: row.email, isAdmin } satisfies Actor
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (caught: unknown) => caught,
  )
  assert.ok(error instanceof OmniError, String(error))
  return `${error.status} ${error.code}: ${error.message}`
}

for (const backend of storageBackends()) {
  describe(`session service on ${backend.name}`, () => {
    let storage: Storage
    let service: SessionService
    let hub: LiveHub
    let alice: Actor
    let bob: Actor
    let carol: Actor
    let admin: Actor
    const sent: ServerToHost[] = []
    const hosts = new HostRegistry()

    before(async () => {
      storage = await backend.open()
      alice = await person(storage, 'alice@example.com')
      bob = await person(storage, 'bob@example.com')
      carol = await person(storage, 'carol@example.com')
      admin = await person(storage, 'admin@example.com', true)
      await registerHost(storage.db, ws, {
        id: 'h_alice',
        ownerId: alice.userId,
        name: 'laptop',
      })
      await registerHost(storage.db, ws, {
        id: 'h_bob',
        ownerId: bob.userId,
        name: 'desk',
      })
      hosts.attach({
        hostId: 'h_alice',
        ownerId: alice.userId,
        send: (frame) => void sent.push(frame),
        close: () => {},
      })
      hub = new LiveHub()
      const events = new EventLog(storage.db, ws, hub)
      service = new SessionService({
        db: storage.db,
        workspaceId: ws,
        events,
        hub,
        hosts,
      })
    })

    after(() => storage.close())

    test('a session is created only on one of your own hosts', async () => {
      assert.equal(
        await refusal(service.create(alice, { host: 'desk', dir: '/tmp' })),
        '404 not_found: You have no host named desk.',
      )
      const created = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/work',
      })
      assert.equal(created.owner, 'alice@example.com')
      assert.equal(created.level, 'owner')
      assert.equal(created.hostOnline, true)
    })

    test('a reader follows but cannot send, and nothing reaches the host', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/a',
      })
      await service.share(alice, session.id, 'BOB@example.com', 'read')
      const framesBefore = sent.length

      assert.equal(
        await refusal(service.send(bob, session.id, 'hello')),
        '403 needs_edit: This needs Edit access.',
      )
      assert.equal(sent.length, framesBefore)
      assert.deepEqual(await service.events(bob, session.id, 0), [])
    })

    test('an editor sends; the message is stored with the sender as author', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/b',
      })
      await service.share(alice, session.id, 'bob@example.com', 'edit')

      const accepted = await service.send(bob, session.id, 'from bob')
      const frame = sent.at(-1)
      assert.equal(frame?.type, 'turn.start')
      if (frame?.type === 'turn.start') {
        assert.equal(frame.turnId, accepted.turnId)
        assert.deepEqual(frame.message, {
          text: 'from bob',
          author: 'bob@example.com',
        })
      }
      const [message] = await service.events(alice, session.id, 0)
      assert.equal(message?.author, 'bob@example.com')
      assert.equal(message?.seq, accepted.seq)

      assert.equal(
        await refusal(service.send(alice, session.id, 'again')),
        '409 turn_in_progress: The agent is still working on the previous message.',
      )
    })

    test('host frames are stored only for the turn that host is running', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/c',
      })
      const { turnId } = await service.send(alice, session.id, 'go')
      const event = { kind: 'assistant.text' as const, text: 'hi' }

      assert.equal(
        await service.turns.fromHost('h_bob', {
          type: 'turn.event',
          sessionId: session.id,
          turnId,
          event,
        }),
        false,
      )
      assert.equal(
        await service.turns.fromHost('h_alice', {
          type: 'turn.event',
          sessionId: session.id,
          turnId: 't_other',
          event,
        }),
        false,
      )
      assert.equal(
        await service.turns.fromHost('h_alice', {
          type: 'turn.event',
          sessionId: session.id,
          turnId,
          event,
        }),
        true,
      )
      await service.turns.fromHost('h_alice', {
        type: 'turn.end',
        sessionId: session.id,
        turnId,
        status: 'completed',
      })

      const kinds = (await service.events(alice, session.id, 0)).map((e) => [
        e.kind,
        e.author,
      ])
      assert.deepEqual(kinds, [
        ['message', 'alice@example.com'],
        ['assistant.text', null],
        ['turn.end', null],
      ])
      assert.equal(service.turns.isBusy(session.id), false)
    })

    test('a session on an offline host refuses messages', async () => {
      const session = await service.create(bob, { host: 'desk', dir: '/tmp' })
      assert.match(
        await refusal(service.send(bob, session.id, 'hi')),
        /^409 host_offline/,
      )
    })

    // Regression: it said "offline; start it with `omni host`", which can
    // never bring a removed host back, even with a new host of its name
    // online.
    test('a session whose host was removed says so, even with a new host of that name online', async () => {
      await registerHost(storage.db, ws, {
        id: 'h_bob_old',
        ownerId: bob.userId,
        name: 'attic',
      })
      const session = await service.create(bob, { host: 'attic', dir: '/tmp' })
      await removeHost(storage.db, ws, 'h_bob_old')
      await registerHost(storage.db, ws, {
        id: 'h_bob_new',
        ownerId: bob.userId,
        name: 'attic',
      })
      const toNewHost: ServerToHost[] = []
      hosts.attach({
        hostId: 'h_bob_new',
        ownerId: bob.userId,
        send: (frame) => void toNewHost.push(frame),
        close: () => {},
      })

      assert.equal(
        await refusal(service.send(bob, session.id, 'hi')),
        "409 host_removed: This session's host was removed; its sessions can no longer run.",
      )
      assert.deepEqual(toNewHost, [])
      assert.deepEqual(await service.events(bob, session.id, 0), [])
    })

    test('nobody without a grant learns the session exists, admins included', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/d',
      })
      for (const outsider of [carol, admin]) {
        assert.equal(
          await refusal(service.detail(outsider, session.id)),
          '404 not_found: Not found.',
        )
        assert.equal(
          await refusal(service.send(outsider, session.id, 'x')),
          '404 not_found: Not found.',
        )
        assert.equal(
          await refusal(service.delete(outsider, session.id)),
          '404 not_found: Not found.',
        )
        const all = await service.list(outsider, 'all')
        assert.ok(all.every((row) => row.id !== session.id))
      }
    })

    test('only the owner changes who has access', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/e',
      })
      await service.share(alice, session.id, 'bob@example.com', 'edit')

      assert.equal(
        await refusal(
          service.share(bob, session.id, 'carol@example.com', 'read'),
        ),
        '403 owner_only: Only the owner of this session can do this.',
      )
      assert.match(
        await refusal(
          service.share(alice, session.id, 'ALICE@example.com', 'read'),
        ),
        /^400 invalid_input: The owner always has full access/,
      )
      assert.equal(
        await refusal(service.delete(bob, session.id)),
        '403 owner_only: Only the owner of this session can do this.',
      )
    })

    test('revoking tells the live streams of that session at once', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/f',
      })
      await service.share(alice, session.id, 'bob@example.com', 'read')
      const told: string[] = []
      const listener: LiveListener = {
        userId: bob.userId,
        onEvent: () => {},
        onAccessChanged: (relation) => void told.push(relation),
        onSessionDeleted: () => {},
      }
      hub.subscribe(session.id, listener)

      await service.share(alice, session.id, 'bob@example.com', 'edit')
      await service.unshare(alice, session.id, 'bob@example.com')
      assert.deepEqual(told, ['edit', 'none'])
      assert.equal(
        await refusal(service.detail(bob, session.id)),
        '404 not_found: Not found.',
      )
    })

    test('a collaborator leaves; the owner cannot', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/g',
      })
      await service.share(alice, session.id, 'bob@example.com', 'read')

      await service.leave(bob, session.id)
      assert.equal(
        await refusal(service.detail(bob, session.id)),
        '404 not_found: Not found.',
      )
      assert.match(
        await refusal(service.leave(alice, session.id)),
        /^400 invalid_input/,
      )
    })

    test('deleting a session removes its grants and its log', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/h',
      })
      await service.share(alice, session.id, 'bob@example.com', 'edit')
      await service.delete(alice, session.id)

      assert.equal(
        await refusal(service.detail(bob, session.id)),
        '404 not_found: Not found.',
      )
      assert.equal(
        await refusal(service.detail(alice, session.id)),
        '404 not_found: Not found.',
      )
    })

    test('lists hold your own sessions by default and shared ones on request', async () => {
      const mine = await service.list(carol, 'mine')
      assert.deepEqual(mine, [])
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/i',
        title: 'For carol',
      })
      await service.share(alice, session.id, 'carol@example.com', 'read')

      assert.deepEqual(await service.list(carol, 'mine'), [])
      const shared = await service.list(carol, 'shared')
      assert.deepEqual(
        shared.map((row) => [row.title, row.owner, row.level]),
        [['For carol', 'alice@example.com', 'read']],
      )
    })
    test('the owner’s access can be neither lowered nor removed, under any case', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/j',
      })
      const expected =
        '400 invalid_input: The owner always has full access; the owner’s access cannot change.'

      assert.equal(
        await refusal(
          service.share(alice, session.id, 'Alice@Example.com', 'read'),
        ),
        expected,
      )
      assert.equal(
        await refusal(service.unshare(alice, session.id, 'ALICE@example.com')),
        expected,
      )
      assert.deepEqual(await listGrants(storage.db, ws, session.id), [])
      assert.equal((await service.detail(alice, session.id)).level, 'owner')
    })

    test('emails match without regard to case and one grant is kept per person', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/k',
      })
      await service.share(alice, session.id, 'Carol@Example.com', 'read')
      await service.share(alice, session.id, 'carol@EXAMPLE.com', 'edit')

      const grants = await listGrants(storage.db, ws, session.id)
      assert.deepEqual(
        grants.map((g) => [g.email, g.level, g.user_id]),
        [['carol@example.com', 'edit', carol.userId]],
      )
      await service.unshare(alice, session.id, 'CAROL@example.com')
      assert.deepEqual(await listGrants(storage.db, ws, session.id), [])
    })

    test('a person whose email changed keeps one grant when shared again', async () => {
      const dan = await person(storage, 'dan@example.com')
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/l',
      })
      await service.share(alice, session.id, 'dan@example.com', 'read')
      const renamed = await upsertUserFromIdentity(storage.db, ws, {
        issuer: 'https://issuer.test',
        subject: 'sub-dan@example.com',
        email: 'daniel@example.com',
        emailVerified: true,
        isAdmin: false,
      })
      assert.equal(renamed.id, dan.userId)

      await service.share(alice, session.id, 'daniel@example.com', 'edit')
      const grants = await listGrants(storage.db, ws, session.id)
      assert.deepEqual(
        grants.map((g) => [g.email, g.level, g.user_id]),
        [['daniel@example.com', 'edit', dan.userId]],
      )
    })

    test('a person is revoked by the address they sign in with now, and shown by it', async () => {
      const erin = await person(storage, 'erin@example.com')
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/m',
      })
      await service.share(alice, session.id, 'erin@example.com', 'edit')
      await upsertUserFromIdentity(storage.db, ws, {
        issuer: 'https://issuer.test',
        subject: 'sub-erin@example.com',
        email: 'erin.new@example.com',
        emailVerified: true,
        isAdmin: false,
      })

      const detail = await service.detail(alice, session.id)
      assert.deepEqual(detail.collaborators.at(-1), {
        email: 'erin.new@example.com',
        level: 'edit',
      })
      await service.unshare(alice, session.id, 'Erin.New@example.com')
      assert.equal(await service.relationOf(erin, session.id), 'none')
    })

    test('a running turn stops when its sender loses Edit, and says why', async () => {
      const fay = await person(storage, 'fay@example.com')
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/n',
      })
      await service.share(alice, session.id, 'fay@example.com', 'edit')
      const { turnId } = await service.send(fay, session.id, 'run a lot')
      const framesBefore = sent.length

      await service.share(alice, session.id, 'fay@example.com', 'read')

      assert.deepEqual(sent.slice(framesBefore), [
        { type: 'turn.interrupt', sessionId: session.id, turnId },
      ])
      await service.turns.fromHost('h_alice', {
        type: 'turn.end',
        sessionId: session.id,
        turnId,
        status: 'interrupted',
      })
      const end = (await service.events(alice, session.id, 0)).at(-1)
      assert.deepEqual(
        end && [end.kind, end.author, 'error' in end && end.error],
        [
          'turn.end',
          null,
          'Stopped: the person who sent this message no longer has Edit access.',
        ],
      )
    })

    test('the owner’s running turn goes on when someone else’s access changes', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/o',
      })
      await service.share(alice, session.id, 'carol@example.com', 'edit')
      await service.send(alice, session.id, 'keep going')
      const framesBefore = sent.length

      await service.unshare(alice, session.id, 'carol@example.com')

      assert.deepEqual(sent.slice(framesBefore), [])
      assert.equal(service.turns.isBusy(session.id), true)
      service.turns.interrupt(session.id, alice)
    })

    test('the trail says whether a grant was new or changed its level', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/m',
      })
      await service.share(alice, session.id, 'bob@example.com', 'read')
      await service.share(alice, session.id, 'bob@example.com', 'edit')
      await service.unshare(alice, session.id, 'bob@example.com')

      const trail = await listAudit(storage.db, ws, { sessionId: session.id })
      assert.deepEqual(
        trail.map((row) => [
          row.action,
          row.actor_email,
          JSON.parse(row.detail),
        ]),
        [
          ['session.create', 'alice@example.com', {}],
          [
            'grant.put',
            'alice@example.com',
            { email: 'bob@example.com', change: 'new', from: null, to: 'read' },
          ],
          [
            'grant.put',
            'alice@example.com',
            {
              email: 'bob@example.com',
              change: 'level',
              from: 'read',
              to: 'edit',
            },
          ],
          ['grant.revoke', 'alice@example.com', { email: 'bob@example.com' }],
        ],
      )
    })

    test('deleting a session leaves no grant behind', async () => {
      const session = await service.create(alice, {
        host: 'laptop',
        dir: '/tmp/n',
      })
      await service.share(alice, session.id, 'bob@example.com', 'read')
      await service.share(alice, session.id, 'nobody-yet@example.com', 'edit')
      await service.delete(alice, session.id)

      assert.deepEqual(await listGrants(storage.db, ws, session.id), [])
    })
  })
}
