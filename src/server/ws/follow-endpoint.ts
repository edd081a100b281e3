// Live following of a session. The stream first replays what is stored after
// the viewer's last seq, then forwards new events as they are stored; events
// that arrive during the replay are held back and de-duplicated by seq, so a
// viewer who reconnects sees no gap and no duplicate.
//
// A stream is as live as its viewer's access: a change of grant reaches it
// through the hub, and the end of the web sign-in it was opened with through
// the sign-out notifier; either closes it or lowers it at once.

import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WebSocketServer, type WebSocket } from 'ws'
import {
  decideSession,
  decideWorkspace,
  enforce,
  type Actor,
  type Relation,
} from '../../access/policy.ts'
import { errorCatalog, OmniError } from '../../core/errors.ts'
import { followCloseCodes, type FollowFrame } from '../../protocol/follow.ts'
import type { SessionEvent } from '../../protocol/session-events.ts'
import type { Credential } from '../../identity/authenticator.ts'
import type { EventLog } from '../../sessions/event-log.ts'
import type { LiveHub, LiveListener } from '../../sessions/live-hub.ts'
import type { SessionService } from '../../sessions/session-service.ts'
import type { SignOutNotifier } from '../../sessions/sign-out-notifier.ts'
import type { WorkspaceState } from '../workspace-state.ts'
import { upgradeRoutes } from './upgrade-routes.ts'

export interface FollowOptions {
  sessions: SessionService
  events: EventLog
  hub: LiveHub
  workspace: WorkspaceState
  signOuts: SignOutNotifier
  authenticate(request: IncomingMessage): Promise<Actor>
  /** The credential `authenticate` accepted, so its end can close the
   * stream. */
  credentialOf(request: IncomingMessage): Credential | undefined
  log: Logger
}

export class FollowEndpoint {
  readonly #options: FollowOptions
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 64 << 10 })

  /** Ends every open stream: with `code` and `reason` when Omnigent is
   * turned off, at once for shutdown. */
  closeAll(code?: number, reason?: string): void {
    for (const client of this.#wss.clients) {
      if (code === undefined) client.terminate()
      else client.close(code, reason)
    }
  }

  constructor(options: FollowOptions) {
    this.#options = options
  }

  async upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    sessionId: string,
    afterSeq: number,
  ): Promise<void> {
    const actor = await this.#options.authenticate(req)
    enforce(
      decideWorkspace(actor, 'workspace.use', this.#options.workspace.enabled),
    )
    const relation = await this.#options.sessions.relationOf(actor, sessionId)
    enforce(decideSession(relation, upgradeRoutes.follow.action))
    const credential = this.#options.credentialOf(req)

    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      watchClientFaults(ws, this.#options.log.child({ sessionId }))
      const stream = new FollowStream(
        ws,
        actor,
        sessionId,
        relation,
        afterSeq,
        this.#options,
      )
      stream.start(credential).catch((error: unknown) => {
        this.#options.log.error(
          { err: error, sessionId },
          'follow stream failed',
        )
        ws.close(1011, 'internal error')
      })
    })
  }
}

class FollowStream implements LiveListener {
  readonly userId: string
  readonly #ws: WebSocket
  readonly #actor: Actor
  readonly #sessionId: string
  readonly #options: FollowOptions
  #relation: Relation
  #lastSent: number
  #held: SessionEvent[] | null = []
  #unsubscribe = () => {}

  constructor(
    ws: WebSocket,
    actor: Actor,
    sessionId: string,
    relation: Relation,
    afterSeq: number,
    options: FollowOptions,
  ) {
    this.#ws = ws
    this.#actor = actor
    this.userId = actor.userId
    this.#sessionId = sessionId
    this.#relation = relation
    this.#lastSent = afterSeq
    this.#options = options
  }

  async start(credential: Credential | undefined): Promise<void> {
    // Subscribe before reading the log, so nothing stored in between is lost.
    const unsubscribe = this.#options.hub.subscribe(this.#sessionId, this)
    const unwatch = this.#options.signOuts.watch(
      credential,
      this.userId,
      (error) => this.#close(followCloseCodes.unauthenticated, error.message),
    )
    this.#unsubscribe = () => {
      unsubscribe()
      unwatch()
    }
    this.#ws.on('close', () => this.#unsubscribe())

    // Access or the workspace switch may have changed between the upgrade's
    // checks and the subscription; ask once more now that no change is missed.
    const relation = await this.#options.sessions.relationOf(
      this.#actor,
      this.#sessionId,
    )
    if (relation === 'none') {
      return this.#close(followCloseCodes.accessRevoked, 'access revoked')
    }
    if (!this.#options.workspace.enabled) {
      const { message } = errorCatalog.not_enabled
      return this.#close(followCloseCodes.notEnabled, message)
    }
    this.#relation = relation
    this.#send({ type: 'access', level: this.#level() })

    for (;;) {
      const page = await this.#options.events.after(
        this.#sessionId,
        this.#lastSent,
      )
      if (page.length === 0) break
      for (const event of page) this.#forward(event)
    }

    const held = this.#held ?? []
    this.#held = null
    for (const event of held) this.#forward(event)
  }

  onEvent(event: SessionEvent): void {
    if (this.#held) this.#held.push(event)
    else this.#forward(event)
  }

  onAccessChanged(relation: Relation): void {
    if (
      decideSession(relation, upgradeRoutes.follow.action).allowed === false
    ) {
      return this.#close(followCloseCodes.accessRevoked, 'access revoked')
    }
    if (relation === this.#relation) return

    this.#relation = relation
    this.#send({ type: 'access', level: this.#level() })
  }

  onSessionDeleted(): void {
    this.#close(followCloseCodes.sessionDeleted, 'session deleted')
  }

  #forward(event: SessionEvent): void {
    if (event.seq <= this.#lastSent) return
    this.#lastSent = event.seq
    this.#send({ type: 'event', event })
  }

  #level() {
    return this.#relation === 'none' ? 'read' : this.#relation
  }

  #send(frame: FollowFrame): void {
    if (this.#ws.readyState === this.#ws.OPEN)
      this.#ws.send(JSON.stringify(frame))
  }

  #close(code: number, reason: string): void {
    this.#unsubscribe()
    this.#ws.close(code, reason)
  }
}

/** A follow stream is read-only. A viewer's frame is refused with 1008
 * (RFC 6455 §7.4.1, policy violation); a malformed or oversize one makes
 * `ws` fail the connection itself (1002/1009) and emit 'error', which must
 * be heard here: unheard, it would end the whole server. Either is the
 * client's fault and is logged as such. */
function watchClientFaults(ws: WebSocket, log: Logger): void {
  ws.on('message', () => {
    log.info('a viewer wrote to a read-only stream')
    ws.close(1008, 'this stream is read-only')
  })
  ws.on('error', (error: Error & { code?: string }) => {
    log.info(
      { code: error.code, reason: error.message },
      'viewer sent a bad frame',
    )
  })
}

export function parseAfter(value: string | null): number {
  if (value === null || value === '') return 0
  const after = Number(value)
  if (!Number.isInteger(after) || after < 0) {
    throw new OmniError('invalid_input', 'after must be a whole number ≥ 0.')
  }
  return after
}
