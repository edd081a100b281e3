import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, afterEach, before, describe, it } from 'node:test'

import { pino } from 'pino'
import { WebSocket, WebSocketServer } from 'ws'

import {
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../../test/support/scripted-model-server.ts'
import type { ModelSettings } from '../agent/model-settings.ts'
import { OmniError } from '../core/errors.ts'
import type { HostToServer, ServerToHost } from '../protocol/host-tunnel.ts'
import { startHostDaemon, type HostDaemon } from './daemon.ts'

const modelKey = 'sk-daemon-test-model-key-42'
let dir: string
let daemons: HostDaemon[] = []
let servers: Array<{ close(): Promise<void> }> = []

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omni-daemon-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})
afterEach(async () => {
  await Promise.all(daemons.map((daemon) => daemon.stop()))
  await Promise.all(servers.map((server) => server.close()))
  daemons = []
  servers = []
})

type Refusal = { status: number; code: string; message: string }

/** A stand-in for the server's tunnel endpoint: it records each upgrade and
 * either refuses it with an HTTP error body or accepts it. */
async function startFakeServer(options: { autoPong?: boolean } = {}) {
  const http = createServer()
  const wss = new WebSocketServer({
    noServer: true,
    autoPong: options.autoPong ?? true,
  })
  const upgrades: Array<{ url: string; headers: IncomingHttpHeaders }> = []
  const connections: Connection[] = []
  const waiting: Array<(connection: Connection) => void> = []
  const state: { refusal: Refusal | null } = { refusal: null }

  http.on('upgrade', (req, socket, head) => {
    upgrades.push({ url: req.url ?? '', headers: req.headers })
    const refusal = state.refusal
    if (refusal) {
      const body = JSON.stringify({
        error: { code: refusal.code, message: refusal.message },
      })
      socket.end(
        `HTTP/1.1 ${refusal.status} Refused\r\ncontent-type: application/json\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      )
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new Connection(ws)
      connections.push(connection)
      waiting.shift()?.(connection)
    })
  })

  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  const { port } = http.address() as AddressInfo

  const fake = {
    url: `http://127.0.0.1:${port}`,
    upgrades,
    connections,
    state,
    nextConnection(): Promise<Connection> {
      const ready = connections.find((c) => !c.claimed)
      if (ready) return Promise.resolve(ready.claim())
      return new Promise((resolve) => waiting.push((c) => resolve(c.claim())))
    },
    async close() {
      for (const ws of wss.clients) ws.terminate()
      http.closeAllConnections()
      await new Promise((resolve) => http.close(resolve))
    },
  }
  servers.push(fake)
  return fake
}

class Connection {
  readonly ws: WebSocket
  readonly frames: HostToServer[] = []
  claimed = false
  #waiters: Array<() => void> = []

  constructor(ws: WebSocket) {
    this.ws = ws
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as HostToServer)
      for (const wake of this.#waiters.splice(0)) wake()
    })
  }

  claim(): this {
    this.claimed = true
    return this
  }

  send(frame: ServerToHost) {
    this.ws.send(JSON.stringify(frame))
  }

  welcome() {
    this.send({
      type: 'welcome',
      hostId: 'h_test',
      hostName: 'laptop',
      owner: 'ada@example.com',
    })
  }

  /** Resolves once a frame matching `test` has arrived, with all so far. */
  async until(test: (frame: HostToServer) => boolean): Promise<HostToServer[]> {
    while (!this.frames.some(test)) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
    return this.frames
  }
}

function captureLog() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { log: pino({ level: 'debug' }, stream), lines }
}

function startDaemon(
  serverUrl: string,
  overrides: { model?: ModelSettings | null; heartbeatMs?: number } = {},
) {
  const tokens: string[] = []
  const { log, lines } = captureLog()
  const daemon = startHostDaemon({
    serverUrl,
    hostId: 'h_test',
    hostName: 'laptop',
    accessToken: async () => {
      tokens.push(`access-token-${tokens.length + 1}`)
      return tokens.at(-1)!
    },
    model: overrides.model === undefined ? null : overrides.model,
    log,
    ...(overrides.heartbeatMs ? { heartbeatMs: overrides.heartbeatMs } : {}),
  })
  daemons.push(daemon)
  return { daemon, tokens, lines }
}

async function startModel(
  script: Parameters<typeof startScriptedModelServer>[0]['script'],
) {
  const model: ScriptedModelServer = await startScriptedModelServer({
    apiKey: modelKey,
    script,
  })
  servers.push(model)
  return { baseUrl: model.baseUrl, model: 'scripted', apiKey: modelKey }
}

const turnStart = (turnId: string, message = 'go'): ServerToHost => ({
  type: 'turn.start',
  sessionId: 's_1',
  turnId,
  dir,
  history: [],
  message: { text: message, author: 'ada@example.com' },
})

describe('startHostDaemon', () => {
  it('dials the tunnel with its token and host headers and is ready only after the welcome', async () => {
    const server = await startFakeServer()
    const { daemon, lines } = startDaemon(server.url)
    let welcomed = false
    const ready = daemon.ready.then((welcome) => {
      assert.ok(welcomed, 'ready resolved before the welcome frame')
      return welcome
    })

    const connection = await server.nextConnection()
    await new Promise((resolve) => setTimeout(resolve, 100))
    welcomed = true
    connection.welcome()

    assert.deepEqual(await ready, {
      hostId: 'h_test',
      hostName: 'laptop',
      owner: 'ada@example.com',
    })
    assert.equal(server.upgrades[0]?.url, '/api/hosts/connect')
    assert.equal(
      server.upgrades[0]?.headers.authorization,
      'Bearer access-token-1',
    )
    assert.equal(server.upgrades[0]?.headers['x-omni-host-id'], 'h_test')
    assert.equal(server.upgrades[0]?.headers['x-omni-host-name'], 'laptop')
    assert.ok(lines.some((line) => line.includes('"msg":"host connected"')))
    assert.ok(!lines.join('').includes('access-token-1'))
  })

  it('ends with host_taken and the server message when the host id belongs to someone else', async () => {
    const server = await startFakeServer()
    const message = 'This host id is registered to another user.'
    server.state.refusal = { status: 409, code: 'host_taken', message }
    const { daemon } = startDaemon(server.url)

    assert.deepEqual(await daemon.closed, { reason: 'host_taken', message })
    await assert.rejects(daemon.ready, { code: 'host_taken', message })
    await new Promise((resolve) => setTimeout(resolve, 700))
    assert.equal(server.upgrades.length, 1)
  })

  it('ends unauthenticated when the server refuses the token', async () => {
    const server = await startFakeServer()
    const message = 'The credential has expired.'
    server.state.refusal = { status: 401, code: 'token_expired', message }
    const { daemon } = startDaemon(server.url)

    assert.deepEqual(await daemon.closed, {
      reason: 'unauthenticated',
      message,
    })
    await assert.rejects(daemon.ready, { code: 'unauthenticated', message })
  })

  it('ends as removed, without dialling again, when the server no longer knows the host (404)', async () => {
    const server = await startFakeServer()
    const message = 'This host was removed by its owner.'
    server.state.refusal = { status: 404, code: 'not_found', message }
    const { daemon } = startDaemon(server.url)

    assert.deepEqual(await daemon.closed, { reason: 'removed', message })
    await assert.rejects(daemon.ready, { code: 'not_found', message })
    await new Promise((resolve) => setTimeout(resolve, 700))
    assert.equal(server.upgrades.length, 1)
  })

  it('ends unauthenticated, without dialling, when no token can be had (401)', async () => {
    const server = await startFakeServer()
    const { log } = captureLog()
    const message = 'Your sign-in has expired. Run: omni login'
    const daemon = startHostDaemon({
      serverUrl: server.url,
      hostId: 'h_test',
      hostName: 'laptop',
      accessToken: async () => {
        throw new OmniError('unauthenticated', message)
      },
      model: null,
      log,
    })
    daemons.push(daemon)

    assert.deepEqual(await daemon.closed, {
      reason: 'unauthenticated',
      message,
    })
    assert.equal(server.upgrades.length, 0)
  })

  it('ends as replaced, without dialling again, when a newer connection with its id takes over (4000)', async () => {
    const server = await startFakeServer()
    const { daemon } = startDaemon(server.url)
    const connection = await server.nextConnection()
    connection.welcome()
    await daemon.ready

    connection.ws.close(4000, 'replaced by a newer connection')

    assert.deepEqual(await daemon.closed, {
      reason: 'replaced',
      message:
        'Another omni host with this host id connected (on this or another machine); this one stops.',
    })
    await new Promise((resolve) => setTimeout(resolve, 700))
    assert.equal(server.upgrades.length, 1)
  })

  for (const refusal of [
    {
      status: 409,
      code: 'conflict',
      message: 'You already have a host named "vm".',
    },
    {
      status: 400,
      code: 'invalid_input',
      message: 'The x-omni-host-name header is missing or malformed.',
    },
    { status: 403, code: 'forbidden', message: 'You may not do that.' },
  ]) {
    it(`ends as refused, without dialling again, on ${refusal.status} ${refusal.code}`, async () => {
      const server = await startFakeServer()
      server.state.refusal = refusal
      const { daemon } = startDaemon(server.url)

      assert.deepEqual(await daemon.closed, { reason: 'refused', ...refusal })
      await new Promise((resolve) => setTimeout(resolve, 700))
      assert.equal(server.upgrades.length, 1)
    })
  }

  it('keeps dialling while Omnigent is not enabled and says so once', async () => {
    const server = await startFakeServer()
    server.state.refusal = {
      status: 403,
      code: 'not_enabled',
      message:
        'Omnigent is not enabled for this workspace; ask a workspace admin.',
    }
    const { daemon, lines } = startDaemon(server.url)

    while (server.upgrades.length < 3)
      await new Promise((r) => setTimeout(r, 20))
    server.state.refusal = null
    ;(await server.nextConnection()).welcome()

    await daemon.ready
    const waiting = lines.filter((line) =>
      line.includes('"msg":"host waiting for enablement"'),
    )
    assert.equal(waiting.length, 1)
  })

  it('retries other refusals with a fresh token', async () => {
    const server = await startFakeServer()
    server.state.refusal = {
      status: 503,
      code: 'internal',
      message: 'Starting up.',
    }
    const { daemon, tokens } = startDaemon(server.url)

    while (server.upgrades.length < 1)
      await new Promise((r) => setTimeout(r, 20))
    server.state.refusal = null
    ;(await server.nextConnection()).welcome()

    await daemon.ready
    assert.equal(server.upgrades.length, 2)
    assert.deepEqual(tokens, ['access-token-1', 'access-token-2'])
    assert.equal(
      server.upgrades[1]?.headers.authorization,
      'Bearer access-token-2',
    )
  })

  it('reconnects with a fresh token after the connection drops', async () => {
    const server = await startFakeServer()
    const { daemon, tokens, lines } = startDaemon(server.url)

    const first = await server.nextConnection()
    first.welcome()
    await daemon.ready
    first.ws.terminate()

    const second = await server.nextConnection()
    second.welcome()
    assert.deepEqual(tokens, ['access-token-1', 'access-token-2'])
    assert.equal(
      server.upgrades[1]?.headers.authorization,
      'Bearer access-token-2',
    )
    assert.ok(lines.some((line) => line.includes('"msg":"host reconnecting"')))
  })

  it('drops a server that stops answering pings and dials again', async () => {
    const server = await startFakeServer({ autoPong: false })
    const { daemon, lines } = startDaemon(server.url, { heartbeatMs: 100 })

    const first = await server.nextConnection()
    first.welcome()
    await daemon.ready
    const closed = once(first.ws, 'close')

    await server.nextConnection()
    await closed
    assert.ok(
      lines.some((line) => line.includes('"msg":"host heartbeat missed"')),
    )
  })

  it('runs a turn and sends its events in order, then its end', async () => {
    const server = await startFakeServer()
    const model = await startModel([
      {
        toolCalls: [
          { name: 'run_command', arguments: { command: 'echo tunnel' } },
        ],
      },
      { content: 'All done.' },
    ])
    startDaemon(server.url, { model })
    const connection = await server.nextConnection()
    connection.welcome()

    connection.send(turnStart('t_1'))
    const frames = await connection.until((frame) => frame.type === 'turn.end')

    assert.deepEqual(frames, [
      {
        type: 'turn.event',
        sessionId: 's_1',
        turnId: 't_1',
        event: {
          kind: 'tool.call',
          callId: 'call_1_0',
          tool: 'run_command',
          args: { command: 'echo tunnel' },
        },
      },
      {
        type: 'turn.event',
        sessionId: 's_1',
        turnId: 't_1',
        event: {
          kind: 'tool.result',
          callId: 'call_1_0',
          output: 'tunnel\n[exit code 0]',
          isError: false,
        },
      },
      {
        type: 'turn.event',
        sessionId: 's_1',
        turnId: 't_1',
        event: { kind: 'assistant.text', text: 'All done.' },
      },
      {
        type: 'turn.end',
        sessionId: 's_1',
        turnId: 't_1',
        status: 'completed',
      },
    ])
  })

  it('stops a turn on turn.interrupt and ends it interrupted', async () => {
    const server = await startFakeServer()
    const model = await startModel([
      {
        toolCalls: [
          { name: 'run_command', arguments: { command: 'sleep 30' } },
        ],
      },
    ])
    startDaemon(server.url, { model })
    const connection = await server.nextConnection()
    connection.welcome()
    const started = Date.now()

    connection.send(turnStart('t_2'))
    await connection.until((frame) => frame.type === 'turn.event')
    await new Promise((resolve) => setTimeout(resolve, 100))
    connection.send({ type: 'turn.interrupt', sessionId: 's_1', turnId: 't_2' })
    const frames = await connection.until((frame) => frame.type === 'turn.end')

    assert.deepEqual(frames.at(-1), {
      type: 'turn.end',
      sessionId: 's_1',
      turnId: 't_2',
      status: 'interrupted',
    })
    assert.ok(Date.now() - started < 5000)
  })

  it('refuses a second turn in a session while one is running', async () => {
    const server = await startFakeServer()
    const model = await startModel([{ content: 'slow', delayMs: 500 }])
    startDaemon(server.url, { model })
    const connection = await server.nextConnection()
    connection.welcome()

    connection.send(turnStart('t_3'))
    connection.send(turnStart('t_4'))
    await connection.until(
      (frame) => frame.type === 'turn.end' && frame.turnId === 't_3',
    )

    const ends = connection.frames.filter((frame) => frame.type === 'turn.end')
    assert.deepEqual(ends, [
      {
        type: 'turn.end',
        sessionId: 's_1',
        turnId: 't_4',
        status: 'failed',
        error: 'The agent is still working on the previous message.',
      },
      {
        type: 'turn.end',
        sessionId: 's_1',
        turnId: 't_3',
        status: 'completed',
      },
    ])
  })

  it('answers each turn with a clear error when no model is configured', async () => {
    const server = await startFakeServer()
    startDaemon(server.url, { model: null })
    const connection = await server.nextConnection()
    connection.welcome()

    connection.send(turnStart('t_5'))
    const frames = await connection.until((frame) => frame.type === 'turn.end')

    const message =
      'No model is configured on this host: set OMNI_MODEL_BASE_URL, OMNI_MODEL and OMNI_MODEL_API_KEY'
    assert.deepEqual(frames, [
      {
        type: 'turn.event',
        sessionId: 's_1',
        turnId: 't_5',
        event: { kind: 'agent.error', message },
      },
      {
        type: 'turn.end',
        sessionId: 's_1',
        turnId: 't_5',
        status: 'failed',
        error: message,
      },
    ])
  })

  it('closes the tunnel and ends as stopped on stop()', async () => {
    const server = await startFakeServer()
    const { daemon } = startDaemon(server.url)
    const connection = await server.nextConnection()
    connection.welcome()
    await daemon.ready
    const serverSide = once(connection.ws, 'close')

    await daemon.stop()

    assert.deepEqual(await daemon.closed, { reason: 'stopped' })
    const [code] = (await serverSide) as [number]
    assert.equal(code, 1000)
    await new Promise((resolve) => setTimeout(resolve, 700))
    assert.equal(server.upgrades.length, 1)
  })
})
