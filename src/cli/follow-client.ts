// A viewer's live stream of one session over the follow WebSocket. After a
// drop it reconnects with `after` set to the last seq it delivered, so the
// caller sees every event once, in order: no gap, no duplicate. Losing access
// or the session ends the stream with a CliError.

import WebSocket from 'ws'
import { errorCatalog, type ErrorBody } from '../core/errors.ts'
import {
  followCloseCodes,
  followPath,
  type FollowFrame,
} from '../protocol/follow.ts'
import type { SessionEvent } from '../protocol/session-events.ts'
import { exitCodeFor } from './api-client.ts'
import { CliError, exitCodes } from './cli-error.ts'

export interface FollowOptions {
  baseUrl: string
  sessionId: string
  /** Deliver events with seq greater than this. */
  after: number
  accessToken: () => Promise<string>
  /** Return 'stop' to end the stream after this event. */
  onEvent: (event: SessionEvent) => void | 'stop'
  onReconnecting?: () => void
  signInHint?: string
}

export interface FollowStream {
  /** Resolves when stopped; rejects with a CliError when access ends. */
  done: Promise<void>
  stop(): void
}

type Outcome = { kind: 'stopped' } | { kind: 'dropped'; delivered: boolean }

const pingEveryMs = 20_000
const maxBackoffMs = 5_000

export function followSession(options: FollowOptions): FollowStream {
  const follower = new SessionFollower(options)
  return { done: follower.run(), stop: () => follower.stop() }
}

class SessionFollower {
  readonly #options: FollowOptions
  #lastSeq: number
  #stopped = false
  #socket: WebSocket | undefined
  #wake: (() => void) | undefined

  constructor(options: FollowOptions) {
    this.#options = options
    this.#lastSeq = options.after
  }

  async run(): Promise<void> {
    let attempt = 0
    while (!this.#stopped) {
      const outcome = await this.#connectOnce()
      if (outcome.kind === 'stopped' || this.#stopped) return
      if (outcome.delivered) attempt = 0
      if (attempt === 0) this.#options.onReconnecting?.()

      const delay = Math.min(250 * 2 ** attempt, maxBackoffMs)
      attempt += 1
      await new Promise<void>((resolve) => {
        this.#wake = resolve
        setTimeout(resolve, delay)
      })
    }
  }

  stop(): void {
    this.#stopped = true
    this.#socket?.close(1000)
    this.#wake?.()
  }

  async #connectOnce(): Promise<Outcome> {
    const token = await this.#options.accessToken()
    if (this.#stopped) return { kind: 'stopped' }

    const { baseUrl, sessionId, signInHint } = this.#options
    const ws = new WebSocket(followUrl(baseUrl, sessionId, this.#lastSeq), {
      headers: { authorization: `Bearer ${token}` },
    })
    this.#socket = ws

    return new Promise((resolve, reject) => {
      let delivered = false
      let settled = false
      const settle = (outcome: Outcome | Error) => {
        if (settled) return
        settled = true
        clearInterval(heartbeat)
        if (outcome instanceof Error) reject(outcome)
        else resolve(outcome)
      }

      // A half-open connection (a sleeping laptop, a dropped NAT entry)
      // shows up as a missing pong; terminating it lets the loop resume.
      let alive = true
      const heartbeat = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return
        if (!alive) return ws.terminate()
        alive = false
        ws.ping()
      }, pingEveryMs)
      ws.on('pong', () => (alive = true))

      ws.on('unexpected-response', (_request, response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          ws.terminate()
          const status = response.statusCode ?? 0
          if (status >= 500) return settle({ kind: 'dropped', delivered })
          const body = Buffer.concat(chunks).toString('utf8')
          settle(refused(status, body, signInHint))
        })
        response.on('error', () => settle({ kind: 'dropped', delivered }))
      })

      ws.on('message', (data) => {
        const result = this.#deliver(data.toString())
        if (result === 'ignored') return
        delivered = true
        if (result === 'continue') return

        this.#stopped = true
        ws.close(1000)
        settle(result === 'stop' ? { kind: 'stopped' } : result)
      })

      ws.on('close', (code, reason) => {
        if (this.#stopped) return settle({ kind: 'stopped' })
        const fatal = closedFor(code, reason.toString(), signInHint)
        settle(fatal ?? { kind: 'dropped', delivered })
      })

      // 'close' follows every 'error' (code 1006), and the loop reconnects.
      ws.on('error', () => {})
    })
  }

  /** Hands one frame to the caller unless it was already delivered. */
  #deliver(text: string): 'ignored' | 'continue' | 'stop' | Error {
    // Frames already buffered after a stop are not the caller's.
    if (this.#stopped) return 'ignored'
    const frame = parseFrame(text)
    if (frame?.type !== 'event' || frame.event.seq <= this.#lastSeq) {
      return 'ignored'
    }

    this.#lastSeq = frame.event.seq
    try {
      return this.#options.onEvent(frame.event) === 'stop' ? 'stop' : 'continue'
    } catch (error) {
      return error as Error
    }
  }
}

export function followUrl(baseUrl: string, sessionId: string, after: number) {
  const url = new URL(`${baseUrl}${followPath(sessionId)}`)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.searchParams.set('after', String(after))
  return url.href
}

function parseFrame(text: string): FollowFrame | undefined {
  try {
    return JSON.parse(text) as FollowFrame
  } catch {
    return undefined
  }
}

function closedFor(code: number, reason: string, hint?: string) {
  switch (code) {
    case followCloseCodes.accessRevoked:
      return new CliError(
        reason || 'You no longer have access to this session.',
        exitCodes.notFound,
      )
    case followCloseCodes.sessionDeleted:
      return new CliError(
        reason || 'The session was deleted.',
        exitCodes.notFound,
      )
    case followCloseCodes.unauthenticated: {
      const text = reason || errorCatalog.unauthenticated.message
      return new CliError(hint ? `${text} Run: ${hint}` : text, exitCodes.auth)
    }
    case followCloseCodes.notEnabled:
      return new CliError(
        reason || errorCatalog.not_enabled.message,
        exitCodes.notFound,
      )
    default:
      return undefined
  }
}

function refused(status: number, text: string, hint?: string): CliError {
  let error: ErrorBody['error'] | undefined
  try {
    error = (JSON.parse(text) as ErrorBody).error
  } catch {
    error = undefined
  }

  const message =
    error?.message ?? `The server refused the stream (HTTP ${status}).`
  const exitCode = exitCodeFor(status, error?.code)
  if (exitCode === exitCodes.auth && hint) {
    return new CliError(`${message} Run: ${hint}`, exitCode)
  }
  return new CliError(message, exitCode)
}
