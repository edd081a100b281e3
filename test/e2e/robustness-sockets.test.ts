// A client's bad WebSocket frame is that client's fault: its socket closes,
// the server and everyone else's streams carry on (trial finding 1).

import assert from 'node:assert/strict'
import { connect, type Socket as TcpSocket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  startAccessWorld,
  type Credential,
} from '../../src/server/server.test-support.ts'
import {
  hostIdHeader,
  hostNameHeader,
  hostTunnelPath,
} from '../../src/protocol/host-tunnel.ts'

type World = Awaited<ReturnType<typeof startAccessWorld>>

describe('bad frames from clients', () => {
  let world: World
  // The server runs in this process: an 'error' event nobody listens to
  // would kill a real server, so here it must not happen at all.
  const uncaught: unknown[] = []
  const record = (error: unknown) => void uncaught.push(error)

  before(async () => {
    process.on('uncaughtException', record)
    world = await startAccessWorld()
  })
  after(async () => {
    process.off('uncaughtException', record)
    await world?.server.close()
  })

  async function follow(credential: Credential, id: string) {
    const socket = await world.server.openSocket(
      credential,
      `/api/sessions/${id}/follow`,
    )
    assert.equal(socket.refused, undefined, JSON.stringify(socket.refused))
    await socket.waitFor((frame) => frame.type === 'access')
    return socket
  }

  async function assertServerAnswers() {
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(uncaught.map(String), [])
    const reply = await world.server.call(
      { kind: 'none' },
      'GET',
      '/api/workspace',
    )
    assert.equal(reply.status, 200)
  }

  test('an oversize frame on a host tunnel closes that tunnel only', async () => {
    const { server, people } = world
    const id = await world.sharedSession()
    const watcher = await follow(people.editor.web, id)

    const tunnel = await server.openSocket(
      people.other.bearer,
      hostTunnelPath,
      {
        [hostIdHeader]: 'h_omar_box_1',
        [hostNameHeader]: 'omarbox',
      },
    )
    assert.equal(tunnel.refused, undefined)
    await tunnel.waitFor((frame) => frame.type === 'welcome')
    tunnel.ws.send('x'.repeat(9 << 20))

    const closed = await tunnel.waitClosed()
    assert.equal(closed.code, 1009)
    await assertServerAnswers()
    assert.equal(watcher.isOpen, true)
    assert.equal(world.host.socket.isOpen, true)
    watcher.close()
  })

  test('a reader’s oversize frame on a follow stream closes that stream only', async () => {
    const { people } = world
    const id = await world.sharedSession()
    const watcher = await follow(people.editor.web, id)
    const reader = await follow(people.reader.web, id)

    reader.ws.send('x'.repeat(200 << 10))

    const closed = await reader.waitClosed()
    assert.equal(closed.code, 1009)
    await assertServerAnswers()
    assert.equal(watcher.isOpen, true)
    watcher.close()
  })

  test('a viewer’s ordinary message on a follow stream closes it as a policy violation', async () => {
    const { people } = world
    const id = await world.sharedSession()
    const reader = await follow(people.reader.web, id)

    reader.send({ type: 'message', text: 'let me in' })

    const closed = await reader.waitClosed()
    assert.deepEqual(
      [closed.code, closed.reason],
      [1008, 'this stream is read-only'],
    )
    await assertServerAnswers()
  })

  test('an unmasked frame on a follow stream closes that stream only', async () => {
    const { server, people } = world
    const id = await world.sharedSession()
    const watcher = await follow(people.editor.web, id)

    const raw = await rawUpgrade(
      server.url,
      `/api/sessions/${id}/follow`,
      people.reader.bearer.token,
    )
    // RFC 6455 §5.1: a client must mask every frame it sends; this one
    // does not, so the server must fail the connection.
    raw.write(Buffer.from([0x81, 0x02, 0x68, 0x69]))

    await new Promise<void>((resolve) => raw.once('close', () => resolve()))
    await assertServerAnswers()
    assert.equal(watcher.isOpen, true)
    watcher.close()
  })

  test('a follow path that is not valid percent-encoding is not found, not a fault', async () => {
    const { server, people } = world
    await assert.rejects(
      rawUpgrade(
        server.url,
        '/api/sessions/%E0%A4%A/follow',
        people.reader.bearer.token,
      ),
      /upgrade refused: HTTP\/1.1 404/,
    )
    await assertServerAnswers()
  })
})

/** Upgrades a plain TCP connection by hand and returns it once the server
 * switched protocols, so the test can send frames no client library would. */
function rawUpgrade(
  baseUrl: string,
  path: string,
  token: string,
): Promise<TcpSocket> {
  const { hostname, port } = new URL(baseUrl)
  const socket = connect(Number(port), hostname)
  const request = [
    `GET ${path} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    `Authorization: Bearer ${token}`,
    '',
    '',
  ].join('\r\n')

  return new Promise((resolve, reject) => {
    let received = ''
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1')
      if (!received.includes('\r\n\r\n')) return
      socket.off('data', onData)
      if (received.startsWith('HTTP/1.1 101')) resolve(socket)
      else reject(new Error(`upgrade refused: ${received.split('\r\n')[0]}`))
    }
    socket.on('data', onData)
    socket.once('error', reject)
    socket.once('connect', () => socket.write(request))
  })
}
