// The host daemon: dials out to the server over one WebSocket (so hosts
// behind NAT work), keeps that tunnel up, and runs the turns the server
// sends through the agent on this machine.

import type { IncomingMessage } from 'node:http'

import { WebSocket } from 'ws'

import type { ModelSettings } from '../agent/model-settings.ts'
import type { CommandTracker } from '../agent/tools/tool.ts'
import { isOmniError, OmniError } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import type { HostToServer, ServerToHost } from '../protocol/host-tunnel.ts'
import {
  hostIdHeader,
  hostNameHeader,
  hostTunnelPath,
} from '../protocol/host-tunnel.ts'
import { reconnectDelay } from './backoff.ts'
import { hostLog } from './host-log.ts'
import { createTurnRunner, type TurnRunner } from './turn-runner.ts'

export interface HostDaemonOptions {
  serverUrl: string
  hostId: string
  hostName: string
  /** Called before every connection attempt, so a refreshed token is used. */
  accessToken: () => Promise<string>
  model: ModelSettings | null
  log: Logger
  /** Folders the agent's file tools refuse: the Omnigent home. */
  privateDirs?: readonly string[]
  /** Told about each command the agent runs, while it runs. */
  commands?: CommandTracker
  /** How often to ping the server; no pong by the next ping ends the
   * connection. Defaults to 15 s, so a dead server is noticed within 30 s. */
  heartbeatMs?: number
}

/** Every reason but `stopped` is permanent: dialling again cannot help,
 * so the daemon ends instead of retrying forever. */
export type HostExit =
  | { reason: 'stopped' }
  | {
      reason: 'host_taken' | 'unauthenticated' | 'removed' | 'replaced'
      message: string
    }
  | {
      /** A fault in the daemon itself; never reported as a clean stop. */
      reason: 'failed'
      message: string
    }
  | { reason: 'refused'; status: number; code: string; message: string }

export interface HostWelcome {
  hostId: string
  hostName: string
  owner: string
}

export interface HostDaemon {
  ready: Promise<HostWelcome>
  closed: Promise<HostExit>
  stop(): Promise<void>
}

/** Why one connection attempt ended. */
type AttemptEnd =
  | { kind: 'dropped'; welcomed: boolean }
  | { kind: 'replaced' }
  | { kind: 'refused'; status: number; code: string; message: string }

/** What to do after an attempt that did not end the daemon. */
interface Retry {
  welcomed: boolean
  /** A shorter longest wait, for a refusal a person may lift any time. */
  capMs?: number
}

/** The server closes the older of two tunnels with the same host id with
 * this code (src/sessions/host-registry.ts). Dialling back would replace
 * the newer one in turn, and the two would take turns for ever. */
const replacedCloseCode = 4000
export const replacedMessage =
  'Another omni host with this host id connected (on this or another ' +
  'machine); this one stops.'

/** While Omnigent is off, the host waits for an admin to turn it on and
 * should show up soon after; other refusals back off up to 30 s. */
const notEnabledCapMs = 5_000

const handshakeTimeoutMs = 15_000
const stopGraceMs = 5_000

export function startHostDaemon(options: HostDaemonOptions): HostDaemon {
  const url = tunnelUrl(options.serverUrl)
  const log = options.log.child({ hostId: options.hostId })
  const heartbeatMs = options.heartbeatMs ?? 15_000
  const turns = createTurnRunner({
    model: options.model,
    log,
    ...(options.privateDirs ? { privateDirs: options.privateDirs } : {}),
    ...(options.commands ? { commands: options.commands } : {}),
  })

  const ready = Promise.withResolvers<HostWelcome>()
  const closed = Promise.withResolvers<HostExit>()
  // Callers may only watch `closed`; an unobserved rejection must not crash.
  ready.promise.catch(() => {})

  let stopping = false
  let socket: WebSocket | null = null
  let wake: (() => void) | null = null
  let waitingForEnablement = false

  void run().then(
    (exit) => finish(exit),
    (error: unknown) =>
      finish({ reason: 'failed', message: String(error) }, error),
  )

  async function run(): Promise<HostExit> {
    let failures = 0

    while (!stopping) {
      const end = await connectOnce(failures + 1)
      if (end === 'stopped') break
      if ('reason' in end) return end
      if (end.welcomed) failures = 0

      failures += 1
      const delayMs = reconnectDelay(failures, Math.random, end.capMs)
      hostLog.reconnecting(log, delayMs)
      await sleep(delayMs)
    }
    return { reason: 'stopped' }
  }

  /** One attempt: a fresh token, then the connection until it ends. */
  async function connectOnce(
    attemptNumber: number,
  ): Promise<HostExit | Retry | 'stopped'> {
    const token = await fetchToken()
    if (stopping) return 'stopped'
    if (typeof token !== 'string') return token.exit ?? { welcomed: false }

    hostLog.connecting(log, url, attemptNumber)
    const end = await attempt(token)
    if (stopping) return 'stopped'
    if (end.kind === 'dropped') return { welcomed: end.welcomed }
    if (end.kind === 'replaced') {
      return { reason: 'replaced', message: replacedMessage }
    }
    return judgeRefusal(end)
  }

  async function fetchToken(): Promise<string | { exit: HostExit | null }> {
    try {
      return await options.accessToken()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (isOmniError(error) && error.status === 401) {
        return { exit: { reason: 'unauthenticated', message } }
      }
      hostLog.connectFailed(log, `could not get an access token: ${message}`)
      return { exit: null }
    }
  }

  /** A refusal ends the daemon unless waiting can change the answer: the
   * server starting up or overloaded (5xx, 408, 429, no answer), or
   * Omnigent being off until an admin turns it on. */
  function judgeRefusal(
    end: Extract<AttemptEnd, { kind: 'refused' }>,
  ): HostExit | Retry {
    const { status, code, message } = end
    if (status === 403 && code === 'not_enabled') {
      if (!waitingForEnablement) hostLog.waitingForEnablement(log)
      waitingForEnablement = true
      return { welcomed: false, capMs: notEnabledCapMs }
    }
    if (status === 0 || status >= 500 || status === 408 || status === 429) {
      hostLog.refused(log, status, code, message)
      return { welcomed: false }
    }

    hostLog.refusedForGood(log, status, code, message)
    if (status === 409 && code === 'host_taken') {
      return { reason: 'host_taken', message }
    }
    if (status === 401) return { reason: 'unauthenticated', message }
    // The host id is known and was removed by its owner; the server
    // refuses it for good (a new id registers anew).
    if (status === 404) return { reason: 'removed', message }
    return { reason: 'refused', status, code, message }
  }

  function attempt(token: string): Promise<AttemptEnd> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, {
        headers: {
          authorization: `Bearer ${token}`,
          [hostIdHeader]: options.hostId,
          [hostNameHeader]: options.hostName,
        },
        handshakeTimeout: handshakeTimeoutMs,
      })
      socket = ws
      let welcomed = false
      let refusal: AttemptEnd | null = null
      let heartbeat: NodeJS.Timeout | undefined

      ws.on('unexpected-response', (_request, response) => {
        void readRefusal(response).then((end) => {
          refusal = end
          ws.terminate()
        })
      })

      ws.on('open', () => {
        heartbeat = startHeartbeat(ws)
      })

      ws.on('message', (data) => {
        const frame = parseFrame(data.toString())
        if (!frame) return hostLog.badFrame(log, 'not a server frame')
        if (frame.type === 'welcome') {
          welcomed = true
          waitingForEnablement = false
          hostLog.connected(log, frame.hostName, frame.owner)
          const { hostId, hostName, owner } = frame
          ready.resolve({ hostId, hostName, owner })
        } else if (frame.type === 'turn.start') {
          turns.start(frame, (out) => send(ws, out))
        } else {
          turns.interrupt(frame)
        }
      })

      ws.on('error', (error) => {
        if (!refusal) hostLog.connectFailed(log, error.message)
      })

      ws.on('close', (code, reason) => {
        clearInterval(heartbeat)
        socket = null
        // The server cannot take this connection's events any more.
        void turns.abortAll()
        if (code === replacedCloseCode) {
          hostLog.replaced(log)
          return resolve({ kind: 'replaced' })
        }
        if (welcomed) hostLog.disconnected(log, code, reason.toString())
        resolve(refusal ?? { kind: 'dropped', welcomed })
      })
    })
  }

  function startHeartbeat(ws: WebSocket): NodeJS.Timeout {
    let answered = true
    ws.on('pong', () => {
      answered = true
    })
    return setInterval(() => {
      if (!answered) {
        hostLog.heartbeatMissed(log, heartbeatMs)
        return void ws.terminate()
      }
      answered = false
      ws.ping()
    }, heartbeatMs)
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      wake = done
      function done() {
        clearTimeout(timer)
        wake = null
        resolve()
      }
    })
  }

  function finish(exit: HostExit, error?: unknown) {
    if (error) hostLog.crashed(log, error)
    hostLog.stopped(log, exit.reason)
    ready.reject(readyFailure(exit))
    closed.resolve(exit)
  }

  async function stop(): Promise<void> {
    if (!stopping) {
      stopping = true
      wake?.()
      await closeGently(socket, turns)
    }
    await closed.promise
  }

  return Object.freeze({
    ready: ready.promise,
    closed: closed.promise,
    stop,
  })
}

/** Lets running turns report their end as interrupted, then closes. */
async function closeGently(ws: WebSocket | null, turns: TurnRunner) {
  if (!ws) return
  if (ws.readyState !== WebSocket.OPEN) return void ws.terminate()

  const grace = setTimeout(() => ws.terminate(), stopGraceMs)
  await turns.abortAll()
  ws.close(1000, 'host stopping')
  ws.once('close', () => clearTimeout(grace))
}

/** Frames go out in the order they are sent; a frame for a connection that
 * has gone is dropped, since its turn was aborted with it. */
function send(ws: WebSocket, frame: HostToServer): Promise<void> {
  if (ws.readyState !== WebSocket.OPEN) return Promise.resolve()
  return new Promise((resolve) => {
    ws.send(JSON.stringify(frame), () => resolve())
  })
}

function parseFrame(text: string): ServerToHost | null {
  try {
    const frame = JSON.parse(text) as { type?: unknown }
    const known = ['welcome', 'turn.start', 'turn.interrupt']
    return known.includes(frame.type as string) ? (frame as ServerToHost) : null
  } catch {
    return null
  }
}

/** The server refuses an upgrade with a plain HTTP answer carrying the
 * usual `{ error: { code, message } }` body. */
async function readRefusal(response: IncomingMessage): Promise<AttemptEnd> {
  const status = response.statusCode ?? 0
  const fallback = `The server refused the connection with HTTP ${status}.`
  let text = ''
  try {
    for await (const chunk of response) {
      text += String(chunk)
      if (text.length > 64 * 1024) break
    }
  } catch {
    // A cut-off body still leaves the status to act on.
  }

  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown }
    }
    const code = typeof body.error?.code === 'string' ? body.error.code : ''
    const message =
      typeof body.error?.message === 'string' ? body.error.message : fallback
    return { kind: 'refused', status, code, message }
  } catch {
    return { kind: 'refused', status, code: '', message: fallback }
  }
}

function readyFailure(exit: HostExit): Error {
  if (exit.reason === 'stopped') {
    return new Error('The host daemon stopped before the server welcomed it.')
  }
  if (exit.reason === 'removed') return new OmniError('not_found', exit.message)
  if (exit.reason === 'host_taken' || exit.reason === 'unauthenticated') {
    return new OmniError(exit.reason, exit.message)
  }
  return new Error(exit.message)
}

/** http→ws, https→wss, keeping any path prefix the server is mounted on. */
function tunnelUrl(serverUrl: string): string {
  const url = new URL(serverUrl)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(
      `serverUrl must be an http or https URL, got ${url.protocol}`,
    )
  }
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.pathname = url.pathname.replace(/\/$/, '') + hostTunnelPath
  url.search = ''
  url.hash = ''
  return url.toString()
}
