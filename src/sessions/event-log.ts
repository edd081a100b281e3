// The session's event log: every message, agent output, tool call and tool
// result is stored with the next per-session sequence number, and only then
// published to live viewers.

import type { Kysely } from 'kysely'
import { KeyedQueue } from '../core/keyed-queue.ts'
import type { EventBody, SessionEvent } from '../protocol/session-events.ts'
import {
  appendEvent,
  listEvents,
  listUnfinishedTurns,
} from '../storage/event-store.ts'
import type { Database } from '../storage/schema.ts'
import type { LiveHub } from './live-hub.ts'

export interface AppendInput {
  sessionId: string
  turnId: string | null
  body: EventBody
  author: { id: string; email: string } | null
}

export class EventLog {
  readonly #db: Kysely<Database>
  readonly #workspaceId: string
  readonly #hub: LiveHub
  readonly #queue = new KeyedQueue()

  constructor(db: Kysely<Database>, workspaceId: string, hub: LiveHub) {
    this.#db = db
    this.#workspaceId = workspaceId
    this.#hub = hub
  }

  append(input: AppendInput): Promise<SessionEvent> {
    return this.#queue.run(input.sessionId, async () => {
      const { kind, ...payload } = input.body
      const row = await appendEvent(this.#db, this.#workspaceId, {
        sessionId: input.sessionId,
        turnId: input.turnId,
        kind,
        authorId: input.author?.id ?? null,
        payload,
      })
      const event = toSessionEvent({
        ...row,
        author_email: input.author?.email ?? null,
      })
      this.#hub.publish(event)
      return event
    })
  }

  /** Turns that took a message and were never ended. */
  async unfinishedTurns(): Promise<
    Array<{ sessionId: string; turnId: string }>
  > {
    const rows = await listUnfinishedTurns(this.#db, this.#workspaceId)
    return rows.map((row) => ({
      sessionId: row.session_id,
      turnId: row.turn_id,
    }))
  }

  async after(
    sessionId: string,
    afterSeq: number,
    limit?: number,
  ): Promise<SessionEvent[]> {
    const rows = await listEvents(
      this.#db,
      this.#workspaceId,
      sessionId,
      afterSeq,
      limit,
    )
    return rows.map(toSessionEvent)
  }
}

interface StoredEvent {
  session_id: string
  seq: number
  turn_id: string | null
  kind: string
  payload: string
  created_at: string
  author_email: string | null
}

export function toSessionEvent(row: StoredEvent): SessionEvent {
  const payload = JSON.parse(row.payload) as Record<string, unknown>
  return {
    ...payload,
    kind: row.kind,
    seq: row.seq,
    sessionId: row.session_id,
    turnId: row.turn_id,
    author: row.author_email,
    at: row.created_at,
  } as SessionEvent
}
