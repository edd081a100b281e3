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
  let lastSeq = options.after
  let stopped = false
  let current: WebSocket | undefined
  let wake: (() => void) | undefined

  const connectOnce = (): Promise<Outcome> =>
    new Promise((resolve, reject) => {
      let delivered = false
      let settled = false
      const settle = (outcome: Outcome | Error) => {
        if (settled) return
        settled = true
        clearInterval(ping)
        if (outcome instanceof Error) reject(outcome)
        else resolve(outcome)
      }

      const ping = setInterval(() => {
        if (!current || current.readyState !== WebSocket.OPEN) return
        if (!alive) return current.terminate()
        alive = false
        current.ping()
      }, pingEveryMs)
      let alive = true

      options.accessToken().then(
        (token) => {
          if (stopped) return settle({ kind: 'stopped' })
          const ws = new WebSocket(
            followUrl(options.baseUrl, options.sessionId, lastSeq),
            {
              headers: { authorization: `Bearer ${token}` },
            },
          )
          current = ws

          ws.on('pong', () => (alive = true))
          ws.on('unexpected-response', (_request, response) => {
            const chunks: Buffer[] = []
            response.on('data', (chunk: Buffer) => chunks.push(chunk))
            response.on('end', () => {
              const status = response.statusCode ?? 0
              if (status >= 500) return settle({ kind: 'dropped', delivered })
              settle(
                refused(
                  status,
                  Buffer.concat(chunks).toString('utf8'),
                  options.signInHint,
                ),
              )
            })
            response.on('error', () => settle({ kind: 'dropped', delivered }))
          })
          ws.on('message', (data) => {
            // Frames already buffered after a stop are not the caller's.
            if (stopped) return
            const frame = parseFrame(data.toString())
            if (frame?.type !== 'event' || frame.event.seq <= lastSeq) return
            lastSeq = frame.event.seq
            delivered = true
            let next: void | 'stop'
            try {
              next = options.onEvent(frame.event)
            } catch (error) {
              stopped = true
              ws.close(1000)
              return settle(error as Error)
            }
            if (next === 'stop') {
              stopped = true
              ws.close(1000)
              settle({ kind: 'stopped' })
            }
          })
          ws.on('close', (code, reason) => {
            if (stopped) return settle({ kind: 'stopped' })
            const fatal = closedFor(code, reason.toString(), options.signInHint)
            settle(fatal ?? { kind: 'dropped', delivered })
          })
          ws.on('error', () => {
            // 'close' follows with code 1006; the loop reconnects.
          })
        },
        (error: unknown) => settle(error as Error),
      )
    })

  const run = async () => {
    let attempt = 0
    while (!stopped) {
      const outcome = await connectOnce()
      if (outcome.kind === 'stopped' || stopped) return
      if (outcome.delivered) attempt = 0
      if (attempt === 0) options.onReconnecting?.()

      const delay = Math.min(250 * 2 ** attempt, maxBackoffMs)
      attempt += 1
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, delay)
      })
    }
  }

  return {
    done: run(),
    stop() {
      stopped = true
      current?.close(1000)
      wake?.()
    },
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
