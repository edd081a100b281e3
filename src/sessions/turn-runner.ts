// Runs turns: a person's message goes into the log, then to the session's
// host, whose agent reports its work back as events; each is stored before
// anyone sees it. One turn per session at a time.

import type { Actor } from '../access/policy.ts'
import { OmniError } from '../core/errors.ts'
import { newId } from '../core/ids.ts'
import type { MessageAccepted } from '../protocol/api.ts'
import type { ChatTurn, HostToServer } from '../protocol/host-tunnel.ts'
import type { AgentEvent, SessionEvent } from '../protocol/session-events.ts'
import type { SessionRow } from '../storage/session-store.ts'
import type { EventLog } from './event-log.ts'
import type { HostRegistry } from './host-registry.ts'

const agentEventKinds = new Set<string | undefined>([
  'assistant.text',
  'tool.call',
  'tool.result',
  'agent.error',
] satisfies AgentEvent['kind'][])

const serverRestarted = 'The server restarted while the agent was working.'

interface ActiveTurn {
  turnId: string
  hostId: string
  /** Who sent the message the turn answers: it runs on their behalf. */
  authorId: string
  /** The email of the person who asked the turn to stop, once someone did. */
  interruptedBy?: string
  /** Why the system stopped the turn, when no person did. */
  stoppedBecause?: string
}

export class TurnRunner {
  readonly #events: EventLog
  readonly #hosts: HostRegistry
  readonly #active = new Map<string, ActiveTurn>()

  constructor(options: { events: EventLog; hosts: HostRegistry }) {
    this.#events = options.events
    this.#hosts = options.hosts
  }

  isBusy(sessionId: string): boolean {
    return this.#active.has(sessionId)
  }

  /** The user the session's running turn acts for, if one is running. */
  authorOf(sessionId: string): string | undefined {
    return this.#active.get(sessionId)?.authorId
  }

  async start(
    actor: Actor,
    session: SessionRow,
    text: string,
  ): Promise<MessageAccepted> {
    const host = this.#hosts.get(session.host_id)
    if (!host) {
      throw new OmniError(
        'host_offline',
        'The host of this session is offline; start it with `omni host`.',
      )
    }
    if (this.#active.has(session.id)) throw new OmniError('turn_in_progress')

    // Claim the session before the first await so two senders cannot race.
    const turnId = newId('t')
    this.#active.set(session.id, {
      turnId,
      hostId: session.host_id,
      authorId: actor.userId,
    })

    try {
      const history = toHistory(await this.#events.after(session.id, 0))
      const message = await this.#events.append({
        sessionId: session.id,
        turnId,
        body: { kind: 'message', text },
        author: { id: actor.userId, email: actor.email },
      })
      host.send({
        type: 'turn.start',
        sessionId: session.id,
        turnId,
        dir: session.dir,
        history,
        message: { text, author: actor.email },
      })
      return { turnId, seq: message.seq }
    } catch (error) {
      this.#active.delete(session.id)
      throw error
    }
  }

  /** Asks the host to stop the session's turn, on a person's behalf or, with
   * a reason instead, the system's; returns the stopped turn's id, or null
   * when none was running. */
  interrupt(sessionId: string, by?: Actor | { reason: string }): string | null {
    const turn = this.#active.get(sessionId)
    if (!turn) return null

    if (by && 'reason' in by) turn.stoppedBecause ??= by.reason
    else turn.interruptedBy ??= by?.email
    this.#hosts.get(turn.hostId)?.send({
      type: 'turn.interrupt',
      sessionId,
      turnId: turn.turnId,
    })
    return turn.turnId
  }

  /** Interrupts every running turn and ends it at once with `why`, without
   * waiting for the hosts to answer (their late ends are dropped). */
  async interruptAll(why: string): Promise<void> {
    for (const [sessionId, turn] of [...this.#active]) {
      this.#hosts.get(turn.hostId)?.send({
        type: 'turn.interrupt',
        sessionId,
        turnId: turn.turnId,
      })
      await this.#end(sessionId, turn, 'interrupted', why)
    }
  }

  /** Drops the turn without an end event, for a session being deleted. */
  forget(sessionId: string): void {
    this.#active.delete(sessionId)
  }

  /** A frame from a host: accepted only for the turn that host is running. */
  async fromHost(hostId: string, frame: HostToServer): Promise<boolean> {
    const turn = this.#active.get(frame.sessionId)
    if (!turn || turn.hostId !== hostId || turn.turnId !== frame.turnId) {
      return false
    }

    if (frame.type === 'turn.event') {
      // A host reports its agent's work, nothing else: it cannot write a
      // person's message or rename the session into the log.
      if (!agentEventKinds.has(frame.event?.kind)) return false
      await this.#events.append({
        sessionId: frame.sessionId,
        turnId: frame.turnId,
        body: frame.event,
        author: null,
      })
      return true
    }

    await this.#end(frame.sessionId, turn, frame.status, frame.error)
    return true
  }

  /** At start-up, before anyone connects: a turn that took a message and
   * never ended was cut off when this server last stopped. Nothing runs it
   * now (the host's late frames find no active turn and are dropped), so it
   * ends as failed and everyone waiting on it stops waiting. */
  async endUnfinished(): Promise<number> {
    const unfinished = await this.#events.unfinishedTurns()
    for (const { sessionId, turnId } of unfinished) {
      if (this.#active.get(sessionId)?.turnId === turnId) continue
      await this.#events.append({
        sessionId,
        turnId,
        body: { kind: 'turn.end', status: 'failed', error: serverRestarted },
        author: null,
      })
    }
    return unfinished.length
  }

  /** Turns on a host that went away end as failed, so nobody waits forever. */
  async hostGone(hostId: string): Promise<void> {
    const lost = [...this.#active].filter(([, turn]) => turn.hostId === hostId)
    for (const [sessionId, turn] of lost) {
      await this.#end(sessionId, turn, 'failed', 'The host disconnected.')
    }
  }

  async #end(
    sessionId: string,
    turn: ActiveTurn,
    status: 'completed' | 'failed' | 'interrupted',
    error: string | undefined,
  ): Promise<void> {
    if (this.#active.get(sessionId) !== turn) return
    this.#active.delete(sessionId)

    // The end is the system's event; a person's interrupt is named in it,
    // and the system's says why.
    const interrupted = status === 'interrupted'
    const by = interrupted ? turn.interruptedBy : undefined
    const why = error ?? (interrupted ? turn.stoppedBecause : undefined)
    await this.#events.append({
      sessionId,
      turnId: turn.turnId,
      body: {
        kind: 'turn.end',
        status,
        ...(why ? { error: why } : {}),
        ...(by ? { by } : {}),
      },
      author: null,
    })
  }
}

/** The conversation so far, as the agent needs it. */
export function toHistory(events: SessionEvent[]): ChatTurn[] {
  const turns: ChatTurn[] = []
  for (const event of events) {
    if (event.kind === 'message') {
      turns.push({ role: 'user', text: event.text, author: event.author ?? '' })
    } else if (event.kind === 'assistant.text') {
      turns.push({ role: 'assistant', text: event.text })
    }
  }
  return turns
}
