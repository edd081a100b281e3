// The server's end of a host tunnel. A host dials out with its owner's
// bearer token; the host id is bound to that identity, and another identity
// presenting the same id is refused with 409 before the upgrade is accepted.

import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WebSocketServer, type WebSocket } from 'ws'
import {
  decideHostClaim,
  decideWorkspace,
  enforce,
  type Actor,
} from '../../access/policy.ts'
import { errorCatalog, OmniError } from '../../core/errors.ts'
import { followCloseCodes } from '../../protocol/follow.ts'
import {
  hostIdHeader,
  hostNameHeader,
  type HostToServer,
  type ServerToHost,
} from '../../protocol/host-tunnel.ts'
import type { Credential } from '../../identity/authenticator.ts'
import type { HostLink, HostRegistry } from '../../sessions/host-registry.ts'
import type { SignOutNotifier } from '../../sessions/sign-out-notifier.ts'
import type { TurnRunner } from '../../sessions/turn-runner.ts'
import { appendAudit } from '../../storage/audit-store.ts'
import type { Storage } from '../../storage/database.ts'
import { getHost, registerHost, touchHost } from '../../storage/host-store.ts'
import type { WorkspaceState } from '../workspace-state.ts'

const hostIdPattern = /^[A-Za-z0-9_-]{3,64}$/
const pingEveryMs = 20_000
const touchEveryMs = 60_000

export interface HostTunnelOptions {
  storage: Storage
  workspaceId: string
  workspace: WorkspaceState
  hosts: HostRegistry
  turns: TurnRunner
  signOuts: SignOutNotifier
  authenticate(request: IncomingMessage): Promise<Actor>
  credentialOf(request: IncomingMessage): Credential | undefined
  log: Logger
}

export class HostTunnelEndpoint {
  readonly #options: HostTunnelOptions
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 8 << 20 })

  /** Ends every open stream: with `code` and `reason` when Omnigent is
   * turned off, at once for shutdown. */
  closeAll(code?: number, reason?: string): void {
    for (const client of this.#wss.clients) {
      if (code === undefined) client.terminate()
      else client.close(code, reason)
    }
  }

  constructor(options: HostTunnelOptions) {
    this.#options = options
  }

  /** Checks everything that can refuse the host, then accepts. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const { db } = this.#options.storage
    const ws = this.#options.workspaceId
    if (!req.headers.authorization) throw new OmniError('unauthenticated')

    const actor = await this.#options.authenticate(req)
    enforce(
      decideWorkspace(actor, 'workspace.use', this.#options.workspace.enabled),
    )
    const { hostId, hostName } = readHostHeaders(req)

    const existing = await getHost(db, ws, hostId)
    enforce(decideHostClaim(actor, existing?.owner_id))
    if (existing?.removed_at) {
      throw new OmniError(
        'not_found',
        'This host was removed by its owner. Delete host.json in your ' +
          'Omnigent folder and run `omni host` again to register it anew.',
      )
    }
    const credential = this.#options.credentialOf(req)
    await registerHost(db, ws, {
      id: hostId,
      ownerId: actor.userId,
      name: hostName,
    })
    if (!existing) await this.#audit(actor, 'host.register', hostId, hostName)

    this.#wss.handleUpgrade(req, socket, head, (socketWs) => {
      const hostLog = this.#options.log.child({ hostId })
      // `ws` fails the connection itself on a malformed or oversize frame
      // (RFC 6455 §7.1.7) and then emits 'error'; unheard, that would end the
      // whole server. It is the host's fault, so it is logged at info.
      socketWs.on('error', (error: Error & { code?: string }) => {
        hostLog.info(
          { code: error.code, reason: error.message },
          'host sent a bad frame',
        )
      })

      // Omnigent may have been turned off while this host was checked.
      if (!this.#options.workspace.enabled) {
        const { message } = errorCatalog.not_enabled
        return socketWs.close(followCloseCodes.notEnabled, message)
      }
      this.#serve(socketWs, actor, credential, hostId, hostName)
    })
  }

  #serve(
    socket: WebSocket,
    actor: Actor,
    credential: Credential | undefined,
    hostId: string,
    hostName: string,
  ) {
    const { hosts, turns, signOuts, log } = this.#options
    const hostLog = log.child({ hostId })
    const link: HostLink = {
      hostId,
      ownerId: actor.userId,
      send: (frame: ServerToHost) => socket.send(JSON.stringify(frame)),
      close: (code, reason) => socket.close(code, reason),
    }
    hosts.attach(link)
    link.send({ type: 'welcome', hostId, hostName, owner: actor.email })
    hostLog.info({ owner: actor.email, hostName }, 'host connected')

    // A host that signed in with an access token stops serving the moment
    // the token is revoked; its reconnect is then refused for good.
    const unwatch = signOuts.watch(credential, actor.userId, () =>
      socket.close(
        followCloseCodes.unauthenticated,
        'The access token this host signed in with was revoked.',
      ),
    )

    // "Last seen" of an online host is kept current: on connect, then on a
    // heartbeat at most once a minute, so a quiet host costs few writes.
    let seenAt = 0
    const seen = () => {
      if (Date.now() - seenAt < touchEveryMs) return
      seenAt = Date.now()
      const { db } = this.#options.storage
      touchHost(db, this.#options.workspaceId, hostId).catch((error: unknown) =>
        hostLog.info({ err: error }, 'recording when the host was seen failed'),
      )
    }
    seen()

    let alive = true
    socket.on('pong', () => {
      alive = true
      seen()
    })
    const pinger = setInterval(() => {
      if (!alive) return socket.terminate()
      alive = false
      socket.ping()
    }, pingEveryMs)

    socket.on('message', (data) => {
      const frame = parseHostFrame(data.toString())
      if (!frame) return hostLog.info('host sent an unreadable frame')
      turns.fromHost(hostId, frame).catch((error: unknown) => {
        hostLog.error({ err: error }, 'storing a host frame failed')
      })
    })

    socket.on('close', () => {
      clearInterval(pinger)
      unwatch()
      if (!hosts.detach(link)) return
      hostLog.info('host disconnected')
      // At shutdown the database may close first; the host is gone anyway.
      const { db } = this.#options.storage
      touchHost(db, this.#options.workspaceId, hostId).catch((error: unknown) =>
        hostLog.info({ err: error }, 'recording when the host left failed'),
      )
      turns.hostGone(hostId).catch((error: unknown) => {
        hostLog.error({ err: error }, 'ending the turns of a lost host failed')
      })
    })
  }

  #audit(actor: Actor, action: string, hostId: string, name: string) {
    return appendAudit(this.#options.storage.db, this.#options.workspaceId, {
      actorId: actor.userId,
      actorEmail: actor.email,
      action,
      targetType: 'host',
      targetId: hostId,
      sessionId: null,
      detail: { name },
    })
  }
}

function readHostHeaders(req: IncomingMessage) {
  const hostId = req.headers[hostIdHeader]
  const hostName = req.headers[hostNameHeader]
  if (typeof hostId !== 'string' || !hostIdPattern.test(hostId)) {
    throw new OmniError(
      'invalid_input',
      `The ${hostIdHeader} header is missing or malformed.`,
    )
  }
  if (typeof hostName !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(hostName)) {
    throw new OmniError(
      'invalid_input',
      `The ${hostNameHeader} header is missing or malformed.`,
    )
  }
  return { hostId, hostName }
}

function parseHostFrame(text: string): HostToServer | null {
  try {
    const frame = JSON.parse(text) as Partial<HostToServer>
    const known = frame.type === 'turn.event' || frame.type === 'turn.end'
    if (!known || typeof frame.sessionId !== 'string') return null
    if (typeof frame.turnId !== 'string') return null
    return frame as HostToServer
  } catch {
    return null
  }
}
