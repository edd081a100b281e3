// The access table of the product brief, cell by cell, through the real
// server: every session route and the live stream, against every kind of
// caller. A denial must answer with the table's status and code, and leave
// no trace: nothing reaches the owner's host and nothing changes in the
// database.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { errorCatalog, type ErrorCode } from '../../src/core/errors.ts'
import { hostTunnelPath } from '../../src/protocol/host-tunnel.ts'
import {
  foreignToken,
  RecordingHost,
  setEnabled,
  startAccessWorld,
  type Credential,
} from '../../src/server/server.test-support.ts'

type World = Awaited<ReturnType<typeof startAccessWorld>>

const roles = [
  'anonymous',
  'foreign token',
  'owner while off',
  'admin, no grant',
  'other member',
  'read',
  'edit',
  'owner',
] as const
type Role = (typeof roles)[number]

type Need = 'read' | 'edit' | 'owner' | 'collaborator'

interface SessionRoute {
  name: string
  need: Need
  /** Starts a turn on the host first, so an interrupt has something to stop. */
  running?: boolean
  request(id: string): { method: string; path: string; body?: unknown }
}

const sessionRoutes: SessionRoute[] = [
  {
    name: 'GET /api/sessions/:id',
    need: 'read',
    request: (id) => ({ method: 'GET', path: `/api/sessions/${id}` }),
  },
  {
    name: 'GET /api/sessions/:id/events',
    need: 'read',
    request: (id) => ({ method: 'GET', path: `/api/sessions/${id}/events` }),
  },
  {
    name: 'GET /api/audit?session=:id',
    need: 'owner',
    request: (id) => ({ method: 'GET', path: `/api/audit?session=${id}` }),
  },
  {
    name: 'PATCH /api/sessions/:id',
    need: 'edit',
    request: (id) => ({
      method: 'PATCH',
      path: `/api/sessions/${id}`,
      body: { title: 'Renamed' },
    }),
  },
  {
    name: 'POST /api/sessions/:id/messages',
    need: 'edit',
    request: (id) => ({
      method: 'POST',
      path: `/api/sessions/${id}/messages`,
      body: { text: 'hello' },
    }),
  },
  {
    name: 'POST /api/sessions/:id/interrupt',
    need: 'edit',
    running: true,
    request: (id) => ({
      method: 'POST',
      path: `/api/sessions/${id}/interrupt`,
    }),
  },
  {
    name: 'PUT /api/sessions/:id/grants',
    need: 'owner',
    request: (id) => ({
      method: 'PUT',
      path: `/api/sessions/${id}/grants`,
      body: { email: 'newcomer@example.com', level: 'read' },
    }),
  },
  {
    name: 'DELETE /api/sessions/:id/grants/:email',
    need: 'owner',
    request: (id) => ({
      method: 'DELETE',
      path: `/api/sessions/${id}/grants/rita@example.com`,
    }),
  },
  {
    name: 'POST /api/sessions/:id/leave',
    need: 'collaborator',
    request: (id) => ({ method: 'POST', path: `/api/sessions/${id}/leave` }),
  },
  {
    name: 'DELETE /api/sessions/:id',
    need: 'owner',
    request: (id) => ({ method: 'DELETE', path: `/api/sessions/${id}` }),
  },
  {
    name: 'WS /api/sessions/:id/follow',
    need: 'read',
    request: (id) => ({ method: 'WS', path: `/api/sessions/${id}/follow` }),
  },
]

/** What the table says: 'ok', or the refusal as "status code: message". */
function expected(role: Role, need: Need): string {
  switch (role) {
    case 'anonymous':
      return refusal('unauthenticated')
    case 'foreign token':
      return refusal('token_invalid')
    case 'owner while off':
      return refusal('not_enabled')
    case 'admin, no grant':
    case 'other member':
      return refusal('not_found')
    case 'read':
      if (need === 'edit') return refusal('needs_edit')
      return need === 'owner' ? refusal('owner_only') : 'ok'
    case 'edit':
      return need === 'owner' ? refusal('owner_only') : 'ok'
    case 'owner':
      return need === 'collaborator'
        ? refusal('invalid_input', 'The owner cannot leave.')
        : 'ok'
  }
}

function refusal(
  code: ErrorCode,
  message: string = errorCatalog[code].message,
) {
  return `${errorCatalog[code].status} ${code}: ${message}`
}

function outcome(reply: { status: number; body: any }): string {
  if (reply.status < 300) return 'ok'
  return `${reply.status} ${reply.body?.error?.code}: ${reply.body?.error?.message}`
}

describe('the access matrix', () => {
  let world: World
  let foreign: string

  before(async () => {
    world = await startAccessWorld()
    foreign = await foreignToken(world.server, 'olivia@example.com')
  })
  after(() => world?.server.close())

  function credentialOf(role: Role): Credential {
    const { people } = world
    switch (role) {
      case 'anonymous':
        return { kind: 'none' }
      case 'foreign token':
        return { kind: 'bearer', token: foreign }
      case 'admin, no grant':
        return people.admin.web
      case 'other member':
        return people.other.web
      case 'read':
        return people.reader.web
      case 'edit':
        return people.editor.web
      case 'owner while off':
      case 'owner':
        return people.owner.web
    }
  }

  /** Everything a request could change about a session. */
  async function snapshot(id: string) {
    const { db } = world.server
    const count = async (table: 'events' | 'grants' | 'audit') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('session_id', '=', id)
            .executeTakeFirstOrThrow()
        ).n,
      )
    const session = await db
      .selectFrom('sessions')
      .select(['title', 'updated_at'])
      .where('id', '=', id)
      .executeTakeFirst()
    const grants = await db
      .selectFrom('grants')
      .select(['id', 'email', 'level'])
      .where('session_id', '=', id)
      .orderBy('email')
      .execute()
    return {
      session,
      grants,
      events: await count('events'),
      audit: await count('audit'),
    }
  }

  async function perform(role: Role, route: SessionRoute, id: string) {
    const { method, path, body } = route.request(id)
    const credential = credentialOf(role)
    if (method !== 'WS')
      return world.server.call(credential, method, path, body)

    const socket = await world.server.openSocket(credential, path)
    if (socket.refused) return socket.refused
    const access = await socket.waitFor((frame) => frame.type === 'access')
    socket.close()
    return { status: 101, body: access }
  }

  async function runTurnFirst(id: string): Promise<void> {
    const sent = await world.server.call(
      world.people.owner.web,
      'POST',
      `/api/sessions/${id}/messages`,
      { text: 'hold' },
    )
    assert.equal(sent.status, 202)
    await world.host.socket.waitFor(
      (frame) => frame.type === 'turn.start' && frame.sessionId === id,
    )
  }

  /** Turns Omnigent on again and reconnects the owner's host, as the host
   * daemon does by itself once it is on. */
  async function turnBackOn(): Promise<void> {
    await setEnabled(world.server, world.people.admin, true)
    world.host = await RecordingHost.connect(
      world.server,
      world.people.owner.bearer,
      'h_olivia_laptop',
      'laptop',
    )
  }

  for (const route of sessionRoutes) {
    describe(route.name, () => {
      for (const role of roles) {
        const want = expected(role, route.need)
        test(`${role}: ${want}`, async () => {
          const id = await world.sharedSession()
          if (route.running) await runTurnFirst(id)
          // Turning off itself interrupts the turn and closes the host's
          // tunnel; what the request changes is measured from there.
          if (role === 'owner while off') {
            await setEnabled(world.server, world.people.admin, false)
          }
          const before = await snapshot(id)
          const framesBefore = world.host.work.length

          try {
            assert.equal(outcome(await perform(role, route, id)), want)
          } finally {
            if (role === 'owner while off') await turnBackOn()
          }

          if (want === 'ok') return
          assert.deepEqual(await snapshot(id), before)
          assert.deepEqual(world.host.work.slice(framesBefore), [])
        })
      }
    })
  }

  describe('the host tunnel', () => {
    // Who presents the owner's host id: only the owner's own token serves it.
    const cases: Array<[string, () => Credential, string]> = [
      ['anonymous', () => ({ kind: 'none' }), refusal('unauthenticated')],
      [
        'a cookie instead of a token',
        () => world.people.owner.web,
        refusal('unauthenticated'),
      ],
      [
        'foreign token',
        () => ({ kind: 'bearer', token: foreign }),
        refusal('token_invalid'),
      ],
      [
        'admin, no grant',
        () => world.people.admin.bearer,
        refusal('host_taken'),
      ],
      ['other member', () => world.people.other.bearer, refusal('host_taken')],
    ]
    for (const [role, credential, want] of cases) {
      test(`${role}: ${want}`, async () => {
        const socket = await world.server.openSocket(
          credential(),
          hostTunnelPath,
          {
            'x-omni-host-id': 'h_olivia_laptop',
            'x-omni-host-name': 'laptop',
          },
        )
        assert.ok(socket.refused, 'the upgrade is refused')
        assert.equal(outcome(socket.refused), want)
        assert.equal(world.host.socket.isOpen, true, 'the owner’s host stays')
      })
    }

    test(`owner while off: ${refusal('not_enabled')}`, async () => {
      await setEnabled(world.server, world.people.admin, false)
      try {
        const socket = await world.server.openSocket(
          world.people.owner.bearer,
          hostTunnelPath,
          {
            'x-omni-host-id': 'h_olivia_desk',
            'x-omni-host-name': 'desk',
          },
        )
        assert.equal(
          outcome(socket.refused ?? { status: 101, body: null }),
          refusal('not_enabled'),
        )
      } finally {
        await turnBackOn()
      }
    })

    test('another member’s host cannot write into the owner’s running turn', async () => {
      const id = await world.sharedSession()
      await runTurnFirst(id)
      const start = world.host.work.findLast(
        (frame) => frame.type === 'turn.start' && frame.sessionId === id,
      )
      assert.ok(start?.type === 'turn.start')
      const before = await snapshot(id)

      const intruder = await RecordingHost.connect(
        world.server,
        world.people.other.bearer,
        'h_omar_box',
        'box',
      )
      intruder.send({
        type: 'turn.event',
        sessionId: id,
        turnId: start.turnId,
        event: { kind: 'assistant.text', text: 'injected' },
      })
      intruder.send({
        type: 'turn.end',
        sessionId: id,
        turnId: start.turnId,
        status: 'completed',
      })
      // A frame from the owner's host for another turn is dropped as well.
      world.host.send({
        type: 'turn.end',
        sessionId: id,
        turnId: 't_unknown',
        status: 'completed',
      })
      await new Promise((resolve) => setTimeout(resolve, 100))

      assert.deepEqual(await snapshot(id), before)
      const detail = await world.server.call(
        world.people.owner.web,
        'GET',
        `/api/sessions/${id}`,
      )
      assert.equal(detail.body.busy, true)
      intruder.socket.close()
    })
  })

  describe('routes outside a session', () => {
    test('nobody but the owner sees, uses or removes a host', async () => {
      for (const role of [
        'admin, no grant',
        'other member',
        'read',
        'edit',
      ] as const) {
        const credential = credentialOf(role)
        const hosts = await world.server.call(credential, 'GET', '/api/hosts')
        const ids = hosts.body.map((host: { id: string }) => host.id)
        assert.ok(!ids.includes('h_olivia_laptop'), role)

        const removal = await world.server.call(
          credential,
          'DELETE',
          '/api/hosts/laptop',
        )
        assert.equal(
          outcome(removal),
          refusal('not_found', 'You have no host named laptop.'),
          role,
        )

        const create = await world.server.call(
          credential,
          'POST',
          '/api/sessions',
          { host: 'laptop' },
        )
        assert.equal(
          outcome(create),
          refusal('not_found', 'You have no host named laptop.'),
          role,
        )
      }
      assert.equal(world.host.socket.isOpen, true)
      const mine = await world.server.call(
        world.people.owner.web,
        'GET',
        '/api/hosts',
      )
      assert.deepEqual(
        mine.body.map((host: { name: string }) => host.name),
        ['laptop'],
      )
    })

    test('another person’s session appears in no list, for admins too', async () => {
      const id = await world.sharedSession('Private plans')
      for (const role of ['admin, no grant', 'other member'] as const) {
        for (const scope of ['mine', 'shared', 'all']) {
          const list = await world.server.call(
            credentialOf(role),
            'GET',
            `/api/sessions?scope=${scope}`,
          )
          assert.equal(list.status, 200)
          assert.ok(
            list.body.every((row: { id: string }) => row.id !== id),
            `${role} ${scope}`,
          )
        }
      }
      const readerMine = await world.server.call(
        world.people.reader.web,
        'GET',
        '/api/sessions',
      )
      assert.ok(readerMine.body.every((row: { id: string }) => row.id !== id))
      const readerShared = await world.server.call(
        world.people.reader.web,
        'GET',
        '/api/sessions?scope=shared',
      )
      assert.ok(readerShared.body.some((row: { id: string }) => row.id === id))
    })

    test('only an admin turns Omnigent on or off', async () => {
      for (const role of [
        'anonymous',
        'foreign token',
        'other member',
        'owner',
      ] as const) {
        const reply = await world.server.call(
          credentialOf(role),
          'POST',
          '/api/admin/enablement',
          {
            enabled: false,
          },
        )
        const want =
          role === 'anonymous'
            ? refusal('unauthenticated')
            : role === 'foreign token'
              ? refusal('token_invalid')
              : refusal('admin_only')
        assert.equal(outcome(reply), want, role)
      }
      const status = await world.server.call(
        { kind: 'none' },
        'GET',
        '/api/workspace',
      )
      assert.equal(status.body.enabled, true)
    })
  })
})
