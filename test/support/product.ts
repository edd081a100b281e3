// The product as a test meets it: a running server, people who sign in
// through the real OIDC flow in a (stand-in) browser or with `omni login`,
// and viewers who follow sessions over the real WebSocket.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import type { FollowFrame } from '../../src/protocol/follow.ts'
import type { SessionEvent } from '../../src/protocol/session-events.ts'
import { signInWithPassword, type CookieJar } from './browser-sign-in.ts'
import {
  freePort,
  runCli,
  startProcess,
  tempDir,
  type CliResult,
  type Proc,
} from './processes.ts'

export interface RunningProduct {
  url: string
  server: Proc
  stop(): Promise<void>
}

export async function startProduct(
  options: { databaseUrl?: string } = {},
): Promise<RunningProduct> {
  const port = await freePort()
  const dataDir = tempDir('server')
  const server = startProcess(
    ['server', '--port', String(port), '--data-dir', dataDir],
    {
      OMNI_HOME: tempDir('server-home'),
      OMNI_DATABASE_URL: options.databaseUrl,
    },
  )
  await server.waitFor(/server started/, 30_000)
  const url = `http://127.0.0.1:${port}`
  return { url, server, stop: async () => void (await server.stop()) }
}

/** A person of the workspace with their own machine folder (OMNI_HOME). */
export class Person {
  readonly email: string
  readonly password: string
  readonly home = tempDir('home')
  readonly url: string
  jar: CookieJar | undefined

  constructor(url: string, email: string, password: string) {
    this.url = url
    this.email = email
    this.password = password
  }

  get env(): Record<string, string> {
    return { OMNI_HOME: this.home }
  }

  /** Web sign-in through the workspace's real OIDC flow. */
  async signInWeb(): Promise<void> {
    const result = await signInWithPassword(`${this.url}/auth/login`, {
      email: this.email,
      password: this.password,
    })
    this.jar = result.jar
  }

  /** `omni login`, completing the browser step with the stand-in. */
  async login(): Promise<void> {
    const login = startProcess(['login', this.url], this.env)
    const [authUrl] = await login.waitFor(/^https?:\/\/\S+\/oidc\/\S+$/m)
    await signInWithPassword(authUrl, {
      email: this.email,
      password: this.password,
    })
    const code = await login.exited
    if (code !== 0) throw new Error(`omni login failed:\n${login.output()}`)
  }

  omni(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, { ...this.env, ...extra })
  }

  startHost(extra: Record<string, string> = {}, name = 'laptop'): Proc {
    return startProcess(['host', '--name', name], { ...this.env, ...extra })
  }

  /** Copies someone else's host identity file here, as a thief would. */
  presentHostId(hostId: string, name = 'laptop'): void {
    writeFileSync(
      join(this.home, 'host.json'),
      JSON.stringify({ id: hostId, name }),
      {
        mode: 0o600,
      },
    )
  }

  /** An API call with the web sign-in cookie, as the web app makes it. */
  async api(method: string, path: string, body?: unknown) {
    if (!this.jar) throw new Error(`${this.email} has not signed in on the web`)
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        cookie: this.jar.header(`${this.url}${path}`),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        origin: this.url,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as any) : null,
    }
  }

  follow(sessionId: string, after = 0): Follower {
    if (!this.jar) throw new Error(`${this.email} has not signed in on the web`)
    const path = `/api/sessions/${sessionId}/follow?after=${after}`
    return new Follower(this.url.replace(/^http/, 'ws') + path, {
      cookie: this.jar.header(`${this.url}${path}`),
      origin: this.url,
    })
  }
}

/** A viewer's live stream; collects events and lets a test wait on them. */
export class Follower {
  readonly events: SessionEvent[] = []
  readonly frames: FollowFrame[] = []
  readonly socket: WebSocket
  readonly opened: Promise<void>
  readonly closed: Promise<{ code: number; reason: string }>
  refusedStatus: number | undefined
  #waiters = new Set<() => void>()

  constructor(url: string, headers: Record<string, string>) {
    this.socket = new WebSocket(url, { headers })
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve())
      this.socket.once('unexpected-response', (_req, res) => {
        this.refusedStatus = res.statusCode
        reject(new Error(`follow refused with ${res.statusCode}`))
      })
      this.socket.once('error', reject)
    })
    this.opened.catch(() => undefined)
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() })
        this.#wake()
      })
    })
    this.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as FollowFrame
      this.frames.push(frame)
      if (frame.type === 'event') this.events.push(frame.event)
      this.#wake()
    })
  }

  get lastSeq(): number {
    return this.events.at(-1)?.seq ?? 0
  }

  waitFor(
    predicate: (events: SessionEvent[]) => boolean,
    timeoutMs = 20_000,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate(this.events)) {
          cleanup()
          resolve()
        }
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(
          new Error(
            `follower timed out; saw ${JSON.stringify(this.events.map((e) => [e.seq, e.kind]))}`,
          ),
        )
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        this.#waiters.delete(check)
      }
      this.#waiters.add(check)
      check()
    })
  }

  close(): void {
    this.socket.close()
  }

  #wake() {
    for (const wake of this.#waiters) wake()
  }
}

export function turnEnded(turnId: string) {
  return (events: SessionEvent[]) =>
    events.some((event) => event.kind === 'turn.end' && event.turnId === turnId)
}
