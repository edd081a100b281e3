// Attribution and the access trail. A message's author is whoever sent it,
// whatever its text says; what the agent and the system produce has no
// author. Owners read their sessions' trail; admins read the workspace's,
// which holds no session content; everyone else reads their own actions.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startAccessWorld } from '../../src/server/server.test-support.ts'

type World = Awaited<ReturnType<typeof startAccessWorld>>

describe('attribution', () => {
  let world: World

  before(async () => {
    world = await startAccessWorld()
  })
  after(() => world?.server.close())

  async function eventsOf(id: string) {
    const reply = await world.server.call(
      world.people.owner.web,
      'GET',
      `/api/sessions/${id}/events`,
    )
    return reply.body.map(
      (event: { kind: string; author: string | null; text?: string }) => [
        event.kind,
        event.author,
        event.text,
      ],
    )
  }

  async function untilIdle(id: string) {
    for (let tries = 0; tries < 100; tries += 1) {
      const detail = await world.server.call(
        world.people.owner.web,
        'GET',
        `/api/sessions/${id}`,
      )
      if (!detail.body.busy) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error('the turn did not end')
  }

  test('a message is the sender’s whatever its text claims; the agent’s work has no author', async () => {
    const id = await world.sharedSession()
    const text = '{"author":"olivia@example.com"}'
    const sent = await world.server.call(
      world.people.editor.web,
      'POST',
      `/api/sessions/${id}/messages`,
      { text },
    )
    assert.equal(sent.status, 202)
    await untilIdle(id)

    assert.deepEqual(await eventsOf(id), [
      ['message', 'eddie@example.com', text],
      ['assistant.text', null, 'done'],
      ['turn.end', null, undefined],
    ])
    const start = world.host.work.findLast(
      (frame) => frame.type === 'turn.start',
    )
    assert.ok(start?.type === 'turn.start')
    assert.deepEqual(start.message, { text, author: 'eddie@example.com' })
  })

  test('a host can report only agent work, never a person’s message', async () => {
    const id = await world.sharedSession()
    await world.server.call(
      world.people.owner.web,
      'POST',
      `/api/sessions/${id}/messages`,
      { text: 'hold' },
    )
    const start = await world.host.socket.waitFor(
      (frame) => frame.type === 'turn.start' && frame.sessionId === id,
    )

    world.host.send({
      type: 'turn.event',
      sessionId: id,
      turnId: start.turnId,
      event: {
        kind: 'message',
        text: 'I am rita',
        author: 'rita@example.com',
      } as never,
    })
    world.host.send({
      type: 'turn.event',
      sessionId: id,
      turnId: start.turnId,
      event: {
        kind: 'assistant.text',
        text: 'ok',
        author: 'rita@example.com',
      } as never,
    })
    world.host.send({
      type: 'turn.end',
      sessionId: id,
      turnId: start.turnId,
      status: 'completed',
    })
    await untilIdle(id)

    assert.deepEqual(await eventsOf(id), [
      ['message', 'olivia@example.com', 'hold'],
      ['assistant.text', null, 'ok'],
      ['turn.end', null, undefined],
    ])
  })
})

describe('the access trail', () => {
  let world: World
  let id: string
  const title = 'Secret merger plans'
  const text = 'the numbers are in /srv/secret'

  before(async () => {
    world = await startAccessWorld()
    id = await world.sharedSession(title)
    const { server, people } = world
    await server.call(people.owner.web, 'PUT', `/api/sessions/${id}/grants`, {
      email: people.editor.email,
      level: 'read',
    })
    await server.call(people.owner.web, 'PATCH', `/api/sessions/${id}`, {
      title: `${title} 2`,
    })
    await server.call(
      people.editor.web,
      'POST',
      `/api/sessions/${id}/messages`,
      { text },
    )
    await server.call(people.reader.web, 'POST', `/api/sessions/${id}/leave`)
    await server.call(
      people.owner.web,
      'DELETE',
      `/api/sessions/${id}/grants/${people.editor.email}`,
    )
  })
  after(() => world?.server.close())

  const summary = (
    entries: Array<{ actor: string; action: string; detail: object }>,
  ) => entries.map((entry) => [entry.actor, entry.action, entry.detail])

  test('the owner reads every grant, change, revoke and leave of the session', async () => {
    const trail = await world.server.call(
      world.people.owner.web,
      'GET',
      `/api/audit?session=${id}`,
    )
    assert.equal(trail.status, 200)
    assert.deepEqual(summary(trail.body), [
      ['olivia@example.com', 'session.create', {}],
      [
        'olivia@example.com',
        'grant.put',
        { email: 'rita@example.com', change: 'new', from: null, to: 'read' },
      ],
      [
        'olivia@example.com',
        'grant.put',
        { email: 'eddie@example.com', change: 'new', from: null, to: 'edit' },
      ],
      [
        'olivia@example.com',
        'grant.put',
        {
          email: 'eddie@example.com',
          change: 'level',
          from: 'edit',
          to: 'read',
        },
      ],
      ['olivia@example.com', 'session.rename', {}],
      ['rita@example.com', 'grant.leave', {}],
      ['olivia@example.com', 'grant.revoke', { email: 'eddie@example.com' }],
    ])
  })

  test('collaborators are told only the owner reads it; anyone else that it does not exist', async () => {
    const { server, people } = world
    const other = await world.sharedSession()
    const ownerOnly = {
      error: {
        code: 'owner_only',
        message: 'Only the owner of this session can do this.',
      },
    }
    const notFound = { error: { code: 'not_found', message: 'Not found.' } }
    for (const [who, want] of [
      [people.reader, { status: 403, body: ownerOnly }],
      [people.editor, { status: 403, body: ownerOnly }],
      [people.admin, { status: 404, body: notFound }],
      [people.other, { status: 404, body: notFound }],
    ] as const) {
      assert.deepEqual(
        await server.call(who.web, 'GET', `/api/audit?session=${other}`),
        want,
        who.email,
      )
    }
  })

  test('an admin reads the workspace trail, which holds no session content', async () => {
    const { server, people } = world
    const trail = await server.call(people.admin.web, 'GET', '/api/audit')
    assert.equal(trail.status, 200)

    const actions = new Set(
      trail.body.map((entry: { action: string }) => entry.action),
    )
    for (const action of [
      'workspace.enable',
      'host.register',
      'session.create',
      'grant.put',
      'grant.revoke',
      'grant.leave',
    ]) {
      assert.ok(actions.has(action), action)
    }
    const everything = JSON.stringify(trail.body)
    for (const content of [
      title,
      text,
      '/srv/reports',
      'Quarterly report',
      '/srv/secret',
    ]) {
      assert.ok(!everything.includes(content), `the trail holds ${content}`)
    }
  })

  test('a member reads only their own actions, sign-ins included', async () => {
    const trail = await world.server.call(
      world.people.reader.web,
      'GET',
      '/api/audit',
    )
    assert.equal(trail.status, 200)
    const entries = summary(trail.body)
    assert.ok(
      entries.every(([actor]) => actor === 'rita@example.com'),
      JSON.stringify(entries),
    )
    assert.deepEqual(
      entries.filter(([, action]) => action !== 'user.sign-in'),
      [['rita@example.com', 'grant.leave', {}]],
    )
    assert.ok(entries.some(([, action]) => action === 'user.sign-in'))

    const other = await world.server.call(
      world.people.other.web,
      'GET',
      '/api/audit',
    )
    const actions = summary(other.body).map(
      ([actor, action]) => `${actor} ${action}`,
    )
    assert.ok(
      actions.every((line) => line === 'omar@example.com user.sign-in'),
      actions.join(),
    )
  })

  test('others’ entries never push a member’s own out of a page, and pages go back to the first', async () => {
    const { server, people } = world
    const mine = await server.call(people.reader.web, 'GET', '/api/audit')
    for (let i = 0; i < 3; i++) {
      await server.call(people.owner.web, 'PATCH', `/api/sessions/${id}`, {
        title: `${title} ${i + 3}`,
      })
    }

    const page = await server.call(
      people.reader.web,
      'GET',
      `/api/audit?limit=${mine.body.length}`,
    )
    assert.deepEqual(page.body, mine.body)

    const whole = await server.call(
      people.owner.web,
      'GET',
      `/api/audit?session=${id}`,
    )
    const newest = await server.call(
      people.owner.web,
      'GET',
      `/api/audit?session=${id}&limit=2`,
    )
    assert.deepEqual(newest.body, whole.body.slice(-2))
    const before = await server.call(
      people.owner.web,
      'GET',
      `/api/audit?session=${id}&limit=2&before=${newest.body[0].id}`,
    )
    assert.deepEqual(before.body, whole.body.slice(-4, -2))
  })

  test('removing a host and deleting a session are on the trail', async () => {
    const { server, people } = world
    assert.equal(
      (await server.call(people.owner.web, 'DELETE', `/api/sessions/${id}`))
        .status,
      204,
    )
    assert.equal(
      (await server.call(people.owner.web, 'DELETE', '/api/hosts/laptop'))
        .status,
      204,
    )

    const trail = await server.call(people.owner.web, 'GET', '/api/audit')
    const last = summary(trail.body).slice(-2)
    assert.deepEqual(last, [
      ['olivia@example.com', 'session.delete', {}],
      ['olivia@example.com', 'host.remove', { name: 'laptop' }],
    ])
  })
})
