// Small things a newcomer tripped over (trial finding 16): an online host's
// "last seen" is current, a revoke of someone without access says so
// plainly, and the server starts without a deprecation warning.

import assert from 'node:assert/strict'
import { after, before, describe, mock, test } from 'node:test'
import {
  RecordingHost,
  startAccessWorld,
} from '../../src/server/server.test-support.ts'
import { startProduct, type RunningProduct } from '../support/product.ts'

type World = Awaited<ReturnType<typeof startAccessWorld>>

describe('small things', () => {
  let world: World

  before(async () => {
    world = await startAccessWorld()
  })
  after(() => world?.server.close())

  async function lastSeen(name: string): Promise<string | null> {
    const hosts = await world.server.call(
      world.people.other.web,
      'GET',
      '/api/hosts',
    )
    const host = hosts.body.find((row: { name: string }) => row.name === name)
    return host.lastSeenAt
  }

  async function online(name: string): Promise<boolean> {
    const hosts = await world.server.call(
      world.people.other.web,
      'GET',
      '/api/hosts',
    )
    return hosts.body.find((row: { name: string }) => row.name === name).online
  }

  /** Closes a host and waits until the server has let it go, so its
   * interval is cleared while the same mocked clock is still in force. */
  async function disconnect(host: RecordingHost, name: string) {
    host.socket.close()
    while (await online(name)) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  test('an online host is seen when it connects and, once a minute, on its heartbeat', async (t) => {
    t.after(() => mock.timers.reset())
    const start = Date.now()
    mock.timers.enable({ apis: ['Date', 'setInterval'], now: start })
    const host = await RecordingHost.connect(
      world.server,
      world.people.other.bearer,
      'h_omar_box_2',
      'omarbox',
    )
    const at = (seconds: number) =>
      new Date(start + seconds * 1000).toISOString()
    assert.equal(await lastSeen('omarbox'), at(0))

    await heartbeat() // 20 s
    await heartbeat() // 40 s
    assert.equal(await lastSeen('omarbox'), at(0))
    await heartbeat() // 60 s
    assert.equal(await lastSeen('omarbox'), at(60))
    await disconnect(host, 'omarbox')
  })

  test('a host that stops answering pings is offline after two missed beats', async (t) => {
    t.after(() => mock.timers.reset())
    mock.timers.enable({ apis: ['Date', 'setInterval'], now: Date.now() })
    const host = await RecordingHost.connect(
      world.server,
      world.people.other.bearer,
      'h_omar_box_3',
      'omarquiet',
    )
    assert.equal(await online('omarquiet'), true)

    // A paused socket reads nothing, so the server's pings go unanswered,
    // as with a host whose machine hung or whose network dropped silently.
    host.socket.ws.pause()
    await heartbeat() // 20 s: the first ping goes out
    assert.equal(await online('omarquiet'), true)
    await heartbeat() // 40 s: no pong came back
    assert.equal(await online('omarquiet'), false)
    host.socket.close()
  })

  test('revoking someone without access says they have no access to the session', async () => {
    const id = await world.sharedSession()
    const reply = await world.server.call(
      world.people.owner.web,
      'DELETE',
      `/api/sessions/${id}/grants/nobody@example.com`,
    )
    assert.deepEqual(reply, {
      status: 404,
      body: {
        error: {
          code: 'not_found',
          message: 'nobody@example.com has no access to this session.',
        },
      },
    })
  })

  /** Moves the frozen clock on by 20 s, so the server pings; lets the pong
   * come back and be recorded. */
  async function heartbeat() {
    mock.timers.tick(20_000)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
})

describe('omni server', () => {
  let product: RunningProduct

  before(async () => {
    product = await startProduct()
  })
  after(() => product?.stop())

  test('starts without a deprecation warning', async () => {
    const reply = await fetch(`${product.url}/api/workspace`)
    assert.equal(reply.status, 200)
    assert.doesNotMatch(product.server.output(), /Deprecation|FSTDEP/)
  })
})
