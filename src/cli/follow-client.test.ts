import assert from 'node:assert/strict'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { WebSocketServer, type WebSocket } from 'ws'
import type { SessionEvent } from '../protocol/session-events.ts'
import { CliError } from './cli-error.ts'
import { followSession } from './follow-client.ts'

type Script = (socket: WebSocket, request: IncomingMessage) => void

function message(seq: number): SessionEvent {
  return {
    kind: 'assistant.text',
    text: `event ${seq}`,
    seq,
    sessionId: 'ses_1',
    turnId: 'turn_1',
    author: null,
    at: '2025-01-01T00:00:00.000Z',
  }
}

const send = (socket: WebSocket, seq: number) =>
  socket.send(JSON.stringify({ type: 'event', event: message(seq) }))

describe('followSession', () => {
  const scripts: Script[] = []
  const requests: IncomingMessage[] = []
  let baseUrl: string
  let refuseWith: [number, unknown] | undefined
  const http = createServer()
  const wss = new WebSocketServer({ noServer: true })

  before(async () => {
    http.on('upgrade', (request, socket, head) => {
      requests.push(request)
      if (refuseWith) {
        const body = JSON.stringify(refuseWith[1])
        socket.end(
          `HTTP/1.1 ${refuseWith[0]} Refused\r\ncontent-type: application/json\r\n` +
            `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        )
        return
      }
      wss.handleUpgrade(request, socket, head, (ws) =>
        scripts.shift()?.(ws, request),
      )
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  })
  after(() => {
    wss.close()
    http.close()
  })

  it('resumes after a drop from the last seq, without gap or duplicate', async () => {
    requests.length = 0
    scripts.push(
      (socket) => {
        for (const seq of [1, 2, 3]) send(socket, seq)
        setTimeout(() => socket.terminate(), 50)
      },
      (socket) => {
        send(socket, 3)
        send(socket, 4)
        setTimeout(
          () =>
            socket.close(4404, 'You no longer have access to this session.'),
          50,
        )
      },
    )
    const seen: number[] = []

    const stream = followSession({
      baseUrl,
      sessionId: 'ses_1',
      after: 0,
      accessToken: async () => 'token-1',
      onEvent: (event) => void seen.push(event.seq),
    })

    await assert.rejects(stream.done, (error: unknown) => {
      assert.ok(error instanceof CliError)
      assert.equal(error.exitCode, 4)
      assert.equal(error.message, 'You no longer have access to this session.')
      return true
    })
    assert.deepEqual(seen, [1, 2, 3, 4])
    assert.deepEqual(
      requests.map((r) => r.url),
      [
        '/api/sessions/ses_1/follow?after=0',
        '/api/sessions/ses_1/follow?after=3',
      ],
    )
    assert.equal(requests[0]?.headers.authorization, 'Bearer token-1')
  })

  it('ends with exit 4 when the session is deleted', async () => {
    scripts.push((socket) => socket.close(4410, ''))

    const stream = followSession({
      baseUrl,
      sessionId: 'ses_1',
      after: 7,
      accessToken: async () => 'token-1',
      onEvent: () => {},
    })

    await assert.rejects(
      stream.done,
      (error: unknown) =>
        error instanceof CliError &&
        error.exitCode === 4 &&
        error.message === 'The session was deleted.',
    )
  })

  it('stops when the caller has what it waited for', async () => {
    scripts.push((socket) => {
      for (const seq of [5, 6, 7]) send(socket, seq)
    })
    const seen: number[] = []

    const stream = followSession({
      baseUrl,
      sessionId: 'ses_1',
      after: 4,
      accessToken: async () => 'token-1',
      onEvent: (event) => {
        seen.push(event.seq)
        return event.seq === 6 ? 'stop' : undefined
      },
    })

    await stream.done
    assert.deepEqual(seen, [5, 6])
  })

  it("reports the server's refusal of the upgrade with its message", async () => {
    refuseWith = [404, { error: { code: 'not_found', message: 'Not found.' } }]
    try {
      const stream = followSession({
        baseUrl,
        sessionId: 'ses_missing',
        after: 0,
        accessToken: async () => 'token-1',
        onEvent: () => {},
      })

      await assert.rejects(
        stream.done,
        (error: unknown) =>
          error instanceof CliError &&
          error.exitCode === 4 &&
          error.message === 'Not found.',
      )
    } finally {
      refuseWith = undefined
    }
  })
})
