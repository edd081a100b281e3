// Client-sent fields never widen authority: every route that changes state
// refuses fields it does not know, so author, owner and level can never come
// from a request body, and nothing is stored when it refuses.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startAccessWorld } from '../../src/server/server.test-support.ts'

type World = Awaited<ReturnType<typeof startAccessWorld>>

const forged = {
  author: 'olivia@example.com',
  owner: 'rita@example.com',
  ownerId: 'u_1',
}

describe('client fields', () => {
  let world: World
  let id: string

  before(async () => {
    world = await startAccessWorld()
    id = await world.sharedSession()
  })
  after(() => world?.server.close())

  async function state() {
    const { db } = world.server
    const count = async (
      table: 'sessions' | 'events' | 'grants' | 'audit' | 'users',
    ) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const session = await db
      .selectFrom('sessions')
      .select(['title', 'owner_id'])
      .where('id', '=', id)
      .executeTakeFirst()
    const grants = await db
      .selectFrom('grants')
      .select(['email', 'level'])
      .orderBy('email')
      .execute()
    return {
      session,
      grants,
      counts: await Promise.all(
        (['sessions', 'events', 'grants', 'audit', 'users'] as const).map(
          count,
        ),
      ),
      frames: world.host.work.length,
    }
  }

  const routes: Array<[string, string, () => unknown]> = [
    [
      'POST',
      '/api/sessions',
      () => ({ host: 'laptop', title: 'Mine now', ...forged }),
    ],
    ['PATCH', '/api/sessions/:id', () => ({ title: 'Renamed', ...forged })],
    [
      'POST',
      '/api/sessions/:id/messages',
      () => ({ text: 'hello', ...forged }),
    ],
    ['POST', '/api/sessions/:id/interrupt', () => forged],
    [
      'PUT',
      '/api/sessions/:id/grants',
      () => ({ email: 'rita@example.com', level: 'edit', ...forged }),
    ],
    ['DELETE', '/api/sessions/:id/grants/rita@example.com', () => forged],
    ['POST', '/api/sessions/:id/leave', () => forged],
    ['DELETE', '/api/sessions/:id', () => forged],
    ['DELETE', '/api/hosts/laptop', () => forged],
    ['POST', '/api/admin/enablement', () => ({ enabled: true, ...forged })],
    [
      'POST',
      '/api/users',
      () => ({
        email: 'x@example.com',
        password: 'a long password',
        ...forged,
      }),
    ],
  ]

  for (const [method, path, body] of routes) {
    test(`${method} ${path} refuses author, owner and ownerId and stores nothing`, async () => {
      const who = path.includes('/leave')
        ? world.people.reader
        : path === '/api/users' || path.includes('enablement')
          ? world.people.admin
          : world.people.owner
      const before = await state()

      const reply = await world.server.call(
        who.web,
        method,
        path.replace(':id', id),
        body(),
      )
      assert.equal(reply.status, 400, JSON.stringify(reply.body))
      assert.equal(reply.body.error.code, 'invalid_input')
      assert.match(
        reply.body.error.message,
        /Unrecognized keys?: "author", "owner", "ownerId"/,
      )
      assert.deepEqual(await state(), before)
    })
  }

  test('POST /api/setup refuses unknown fields', async () => {
    const reply = await world.server.call(
      { kind: 'none' },
      'POST',
      '/api/setup',
      {
        email: 'eve@example.com',
        password: 'a long password',
        ...forged,
      },
    )
    assert.equal(reply.status, 400)
    assert.equal(reply.body.error.code, 'invalid_input')
  })
})
