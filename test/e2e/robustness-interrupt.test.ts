// An interrupt is a person's action and is attributed like one: the turn's
// stored end names who stopped it, and the session's trail records it
// (trial finding 8).

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startAccessWorld } from '../../src/server/server.test-support.ts'

type World = Awaited<ReturnType<typeof startAccessWorld>>

describe('interrupting a turn', () => {
  let world: World

  before(async () => {
    world = await startAccessWorld()
  })
  after(() => world?.server.close())

  test('an editor’s interrupt of the owner’s turn names the editor in the event and the trail', async () => {
    const { server, people, host } = world
    const id = await world.sharedSession()
    const sent = await server.call(
      people.owner.web,
      'POST',
      `/api/sessions/${id}/messages`,
      { text: 'hold' },
    )
    assert.equal(sent.status, 202)
    await host.socket.waitFor((frame) => frame.type === 'turn.start')

    const stopped = await server.call(
      people.editor.web,
      'POST',
      `/api/sessions/${id}/interrupt`,
    )
    assert.deepEqual(stopped, { status: 200, body: { interrupted: true } })

    const end = await waitForEnd(id, sent.body.turnId)
    assert.deepEqual(
      [end.status, end.by, end.author],
      ['interrupted', people.editor.email, null],
    )
    const trail = await server.call(
      people.owner.web,
      'GET',
      `/api/audit?session=${id}`,
    )
    const interrupts = trail.body.filter(
      (entry: { action: string }) => entry.action === 'turn.interrupt',
    )
    assert.deepEqual(
      interrupts.map((entry: { actor: string; detail: object }) => [
        entry.actor,
        entry.detail,
      ]),
      [[people.editor.email, { turnId: sent.body.turnId }]],
    )
  })

  test('an interrupt with no turn running records nothing', async () => {
    const { server, people } = world
    const id = await world.sharedSession()

    const stopped = await server.call(
      people.editor.web,
      'POST',
      `/api/sessions/${id}/interrupt`,
    )

    assert.deepEqual(stopped, { status: 200, body: { interrupted: false } })
    const trail = await server.call(
      people.owner.web,
      'GET',
      `/api/audit?session=${id}`,
    )
    assert.deepEqual(
      trail.body
        .map((entry: { action: string }) => entry.action)
        .filter((action: string) => action === 'turn.interrupt'),
      [],
    )
  })

  async function waitForEnd(id: string, turnId: string) {
    const deadline = Date.now() + 5_000
    while (Date.now() < deadline) {
      const events = await world.server.call(
        world.people.owner.web,
        'GET',
        `/api/sessions/${id}/events`,
      )
      const end = events.body.find(
        (event: { kind: string; turnId: string }) =>
          event.kind === 'turn.end' && event.turnId === turnId,
      )
      if (end) return end
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error('the turn did not end')
  }
})
