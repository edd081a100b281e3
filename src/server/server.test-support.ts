// An in-process Omnigent server for access tests and the benchmark: the real
// app on 127.0.0.1 with an ephemeral port, real storage, the built-in OIDC
// workspace, people signed in through its real flows, and a stand-in host
// that records every frame the server sends it.

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, SignJWT } from 'jose'
import * as client from 'openid-client'
import WebSocket from 'ws'
import {
  CookieJar,
  signInWithPassword,
} from '../../test/support/browser-sign-in.ts'
import { createLogger } from '../core/log.ts'
import type { FollowFrame } from '../protocol/follow.ts'
import {
  hostIdHeader,
  hostNameHeader,
  hostTunnelPath,
  type HostToServer,
  type ServerToHost,
} from '../protocol/host-tunnel.ts'
import { runServer, type RunningServer } from './run-server.ts'

export interface Reply {
  status: number
  body: any
}

/** How a request proves who sends it. */
export type Credential =
  | { kind: 'none' }
  | { kind: 'cookie'; jar: CookieJar }
  | { kind: 'bearer'; token: string }

export class TestServer {
  /** Where the server listens; its public URL may name another port. */
  readonly url: string
  readonly server: RunningServer

  constructor(server: RunningServer, url: string) {
    this.url = url
    this.server = server
  }

  get db() {
    return this.server.storage.db
  }

  /** An API call as a browser (cookie, with its Origin) or a client (bearer)
   * makes it; `headers` may add or override. */
  async call(
    credential: Credential,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string | undefined> = {},
  ): Promise<Reply> {
    const all: Record<string, string | undefined> = {
      ...credentialHeaders(credential, `${this.url}${path}`, this.server.url),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    }
    const response = await fetch(`${this.url}${path}`, {
      method,
      // An undefined value leaves the header out, as a client without it.
      headers: Object.fromEntries(
        Object.entries(all).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null }
  }

  /** Opens a WebSocket; resolves once it is open or refused. */
  openSocket(
    credential: Credential,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<Socket> {
    const url = `${this.url.replace(/^http/, 'ws')}${path}`
    const all = {
      ...credentialHeaders(credential, `${this.url}${path}`, this.server.url),
      ...headers,
    }
    return Socket.open(url, all)
  }

  close(): Promise<void> {
    return this.server.close()
  }
}

function credentialHeaders(
  credential: Credential,
  url: string,
  origin: string,
): Record<string, string> {
  if (credential.kind === 'bearer') {
    return { authorization: `Bearer ${credential.token}` }
  }
  if (credential.kind === 'cookie') {
    return { cookie: credential.jar.header(url), origin }
  }
  return {}
}

export async function startTestServer(
  options: { publicUrl?: string } = {},
): Promise<TestServer> {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'omni-access-'))
  const server = await runServer({
    port,
    dataDir,
    publicUrl: options.publicUrl,
    log: createLogger('access-test', { level: 'silent' }),
  })
  return new TestServer(server, `http://127.0.0.1:${port}`)
}

/** A WebSocket as a test sees it: every frame, the close, or the refusal. */
export class Socket {
  readonly frames: any[] = []
  readonly ws: WebSocket
  readonly closed: Promise<{ code: number; reason: string; at: number }>
  refused: Reply | undefined
  #waiters = new Set<() => void>()

  private constructor(ws: WebSocket) {
    this.ws = ws
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString(), at: performance.now() })
        this.#wake()
      })
    })
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()))
      this.#wake()
    })
  }

  static open(url: string, headers: Record<string, string>): Promise<Socket> {
    const socket = new Socket(new WebSocket(url, { headers }))
    return new Promise((resolve, reject) => {
      socket.ws.once('open', () => resolve(socket))
      socket.ws.once('unexpected-response', (_req, res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => {
          socket.refused = {
            status: res.statusCode ?? 0,
            body: text ? JSON.parse(text) : null,
          }
          resolve(socket)
        })
      })
      socket.ws.once('error', reject)
    })
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN
  }

  /** Waits until a frame matches; rejects after `timeoutMs`. */
  waitFor(predicate: (frame: any) => boolean, timeoutMs = 5_000): Promise<any> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.find(predicate)
        if (found === undefined) return
        cleanup()
        resolve(found)
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`no such frame in ${JSON.stringify(this.frames)}`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        this.#waiters.delete(check)
      }
      this.#waiters.add(check)
      check()
    })
  }

  /** The close, or a rejection if the server has not closed the socket
   * within `timeoutMs` (a bound on the test, not a timing assertion). */
  waitClosed(
    timeoutMs = 5_000,
  ): Promise<{ code: number; reason: string; at: number }> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('the socket stayed open')),
        timeoutMs,
      )
    })
    return Promise.race([this.closed, late]).finally(() => clearTimeout(timer))
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame))
  }

  close(): void {
    this.ws.close()
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake()
  }
}

export type FollowSocket = Socket & { frames: FollowFrame[] }

/** A person of the workspace, signed in on the web and, when asked, with
 * an access token from the CLI's code flow. */
export interface Member {
  email: string
  password: string
  web: Credential & { kind: 'cookie' }
  bearer: Credential & { kind: 'bearer' }
}

/** Sets up the first admin from this machine, then adds each person with
 * the admin's signed-in browser, and signs everyone in. */
export async function addPeople<Name extends string>(
  server: TestServer,
  admin: { email: string; password: string },
  people: Record<Name, { email: string; admin?: boolean }>,
): Promise<{ admin: Member } & Record<Name, Member>> {
  const setup = await server.call({ kind: 'none' }, 'POST', '/api/setup', admin)
  if (setup.status !== 201) throw new Error(`setup: ${JSON.stringify(setup)}`)
  const adminMember = await signIn(server, admin)

  const result: Record<string, Member> = { admin: adminMember }
  for (const [name, person] of Object.entries(people) as Array<
    [Name, { email: string; admin?: boolean }]
  >) {
    const password = `${person.email} password`
    const added = await server.call(adminMember.web, 'POST', '/api/users', {
      email: person.email,
      password,
      admin: person.admin ?? false,
    })
    if (added.status !== 201) throw new Error(`add: ${JSON.stringify(added)}`)
    result[name] = await signIn(server, { email: person.email, password })
  }
  return result as { admin: Member } & Record<Name, Member>
}

export async function signIn(
  server: TestServer,
  person: { email: string; password: string },
): Promise<Member> {
  const { jar } = await signInWithPassword(`${server.url}/auth/login`, person)
  const token = await cliAccessToken(server, person)
  return {
    email: person.email.toLowerCase(),
    password: person.password,
    web: { kind: 'cookie', jar },
    bearer: { kind: 'bearer', token },
  }
}

/** The access token `omni login` would get: the code flow with PKCE and a
 * loopback redirect (RFC 8252 §7.3), against the built-in workspace. */
export async function cliAccessToken(
  server: TestServer,
  person: { email: string; password: string },
): Promise<string> {
  const status = await server.call({ kind: 'none' }, 'GET', '/api/workspace')
  const config = await client.discovery(
    new URL(status.body.issuer),
    status.body.cliClientId,
    undefined,
    client.None(),
    { execute: [client.allowInsecureRequests] },
  )

  let landed!: (url: URL) => void
  const callback = new Promise<URL>((resolve) => (landed = resolve))
  const loopback = createServer((req, res) => {
    landed(new URL(req.url ?? '/', 'http://127.0.0.1'))
    res.end('signed in')
  })
  await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve))
  const { port } = loopback.address() as AddressInfo
  const redirectUri = `http://127.0.0.1:${port}/callback`

  try {
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const authorization = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email offline_access',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    })
    await signInWithPassword(authorization.href, person)

    const current = new URL(redirectUri)
    current.search = (await callback).search
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    })
    return tokens.access_token
  } finally {
    loopback.close()
  }
}

/** A well-formed access token for this server's API, signed by some other
 * issuer with its own key: what a token from a foreign workspace looks like. */
export async function foreignToken(
  server: TestServer,
  email: string,
): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256')
  return await new SignJWT({ email, email_verified: true, groups: ['admins'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'foreign' })
    .setIssuer('https://foreign.example.com')
    .setAudience(`${server.url}/api`)
    .setSubject('foreign-subject')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey)
}

/** A host that records every frame the server sends it and plays a tiny
 * agent: it answers a message at once, except `hold`, which runs until
 * interrupted. */
export class RecordingHost {
  readonly socket: Socket
  readonly frames: ServerToHost[] = []

  private constructor(socket: Socket) {
    this.socket = socket
  }

  static async connect(
    server: TestServer,
    credential: Credential,
    hostId: string,
    name: string,
  ): Promise<RecordingHost> {
    const socket = await server.openSocket(credential, hostTunnelPath, {
      [hostIdHeader]: hostId,
      [hostNameHeader]: name,
    })
    if (socket.refused) {
      throw new Error(`host refused: ${JSON.stringify(socket.refused)}`)
    }
    const host = new RecordingHost(socket)
    socket.ws.on('message', (data) => host.#onFrame(JSON.parse(String(data))))
    await socket.waitFor((frame) => frame.type === 'welcome')
    return host
  }

  /** Frames about sessions, leaving out the greeting. */
  get work(): ServerToHost[] {
    return this.frames.filter((frame) => frame.type !== 'welcome')
  }

  send(frame: HostToServer): void {
    this.socket.send(frame)
  }

  #onFrame(frame: ServerToHost): void {
    this.frames.push(frame)
    const { sessionId } = frame as { sessionId: string }
    if (frame.type === 'turn.start' && frame.message.text !== 'hold') {
      const turnId = frame.turnId
      this.send({
        type: 'turn.event',
        sessionId,
        turnId,
        event: { kind: 'assistant.text', text: 'done' },
      })
      this.send({ type: 'turn.end', sessionId, turnId, status: 'completed' })
    }
    if (frame.type === 'turn.interrupt') {
      this.send({
        type: 'turn.end',
        sessionId,
        turnId: frame.turnId,
        status: 'interrupted',
      })
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** The cast of the access tests: an admin (who holds no grant), the owner
 * of the sessions, a reader, an editor and another member; Omnigent on; the
 * owner's host connected. */
export async function startAccessWorld() {
  const server = await startTestServer()
  const people = await addPeople(
    server,
    { email: 'adam@example.com', password: 'adam password 1' },
    {
      owner: { email: 'Olivia@Example.com' },
      reader: { email: 'rita@example.com' },
      editor: { email: 'eddie@example.com' },
      other: { email: 'omar@example.com' },
    },
  )
  await setEnabled(server, people.admin, true)
  const host = await RecordingHost.connect(
    server,
    people.owner.bearer,
    'h_olivia_laptop',
    'laptop',
  )

  /** A fresh session of the owner's, shared with the reader and editor. */
  async function sharedSession(title = 'Quarterly report'): Promise<string> {
    const created = await server.call(
      people.owner.web,
      'POST',
      '/api/sessions',
      {
        host: 'laptop',
        dir: '/srv/reports',
        title,
      },
    )
    if (created.status !== 201) throw new Error(JSON.stringify(created))
    const id: string = created.body.id
    for (const [who, level] of [
      [people.reader, 'read'],
      [people.editor, 'edit'],
    ] as const) {
      const shared = await server.call(
        people.owner.web,
        'PUT',
        `/api/sessions/${id}/grants`,
        { email: who.email, level },
      )
      if (shared.status !== 200) throw new Error(JSON.stringify(shared))
    }
    return id
  }

  return { server, people, host, sharedSession }
}

export async function setEnabled(
  server: TestServer,
  admin: Member,
  enabled: boolean,
): Promise<void> {
  const reply = await server.call(admin.web, 'POST', '/api/admin/enablement', {
    enabled,
  })
  if (reply.status !== 200) throw new Error(JSON.stringify(reply))
}
