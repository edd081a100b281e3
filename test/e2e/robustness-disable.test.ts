// Turning Omnigent off stops its use at once: open streams close with the
// not-enabled code, host tunnels close and are refused until it is on
// again, running turns are interrupted and say why. Nothing is deleted
// (trial finding 5).

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { errorCatalog } from '../../src/core/errors.ts'
import { followCloseCodes } from '../../src/protocol/follow.ts'
import {
  hostIdHeader,
  hostNameHeader,
  hostTunnelPath,
} from '../../src/protocol/host-tunnel.ts'
import {
  RecordingHost,
  setEnabled,
  startAccessWorld,
} from '../../src/server/server.test-support.ts'

type World = Awaited<ReturnType<typeof startAccessWorld>>

const notEnabled = errorCatalog.not_enabled.message

describe('turning Omnigent off', () => {
  let world: World

  before(async () => {
    world = await startAccessWorld()
  })
  after(() => world?.server.close())

  test('closes streams and tunnels and interrupts running turns, deleting nothing', async () => {
    const { server, people, host } = world
    const id = await world.sharedSession()
    const reader = await server.openSocket(
      people.reader.web,
      `/api/sessions/${id}/follow`,
    )
    await reader.waitFor((frame) => frame.type === 'access')
    const sent = await server.call(
      people.editor.web,
      'POST',
      `/api/sessions/${id}/messages`,
      { text: 'hold' },
    )
    assert.equal(sent.status, 202)
    await host.socket.waitFor((frame) => frame.type === 'turn.start')

    await setEnabled(server, people.admin, false)

    const readerClosed = await reader.waitClosed(1_000)
    assert.deepEqual(
      [readerClosed.code, readerClosed.reason],
      [followCloseCodes.notEnabled, notEnabled],
    )
    const hostClosed = await host.socket.waitClosed(1_000)
    assert.deepEqual(
      [hostClosed.code, hostClosed.reason],
      [followCloseCodes.notEnabled, notEnabled],
    )
    assert.deepEqual(
      host.work.map((frame) => frame.type),
      ['turn.start', 'turn.interrupt'],
    )
    const lastSeen = reader.frames.at(-1)
    assert.deepEqual(
      [lastSeen.event.kind, lastSeen.event.status, lastSeen.event.error],
      [
        'turn.end',
        'interrupted',
        'Omnigent was turned off for this workspace.',
      ],
    )

    const again = await server.openSocket(people.owner.bearer, hostTunnelPath, {
      [hostIdHeader]: 'h_olivia_laptop',
      [hostNameHeader]: 'laptop',
    })
    assert.deepEqual(again.refused, {
      status: 403,
      body: { error: { code: 'not_enabled', message: notEnabled } },
    })

    await setEnabled(server, people.admin, true)
    world.host = await RecordingHost.connect(
      server,
      people.owner.bearer,
      'h_olivia_laptop',
      'laptop',
    )
    const events = await server.call(
      people.owner.web,
      'GET',
      `/api/sessions/${id}/events`,
    )
    assert.deepEqual(
      events.body.map((event: { kind: string }) => event.kind),
      ['message', 'turn.end'],
    )
    const resent = await server.call(
      people.editor.web,
      'POST',
      `/api/sessions/${id}/messages`,
      { text: 'and now?' },
    )
    assert.equal(resent.status, 202)
  })
})
