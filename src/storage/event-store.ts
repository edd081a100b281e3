// A session's event log. Each event gets the next sequence number of its
// session when it is stored, before anyone is shown it, so viewers can page
// and resume with "after N".

import type { Kysely, Selectable } from 'kysely'
import { OmniError } from '../core/errors.ts'
import { now } from '../core/time.ts'
import type { Database, EventsTable } from './schema.ts'
import { isUniqueViolation } from './unique-violation.ts'

export type EventRow = Selectable<EventsTable>

/** An event with its author's current email (null for agent and system). */
export type EventListRow = EventRow & { author_email: string | null }

export interface NewEvent {
  sessionId: string
  turnId: string | null
  kind: string
  authorId: string | null
  /** Any JSON-serialisable value; stored as JSON text. */
  payload: unknown
}

/** Stores the event as the session's next one. Callers append to one
 * session at a time; should two appends race anyway, the (session, seq)
 * key refuses the second with `conflict` rather than reuse a number. */
export async function appendEvent(
  db: Kysely<Database>,
  workspaceId: string,
  event: NewEvent,
): Promise<EventRow> {
  try {
    return await db.transaction().execute(async (tx) => {
      const seq = (await lastSeq(tx, workspaceId, event.sessionId)) + 1
      return await tx
        .insertInto('events')
        .values({
          workspace_id: workspaceId,
          session_id: event.sessionId,
          seq,
          turn_id: event.turnId,
          kind: event.kind,
          author_id: event.authorId,
          payload: JSON.stringify(event.payload),
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow()
    })
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
    throw new OmniError(
      'conflict',
      'Another event was stored for this session at the same time.',
    )
  }
}

/** Events with seq greater than `afterSeq`, in order, at most `limit`. */
export async function listEvents(
  db: Kysely<Database>,
  workspaceId: string,
  sessionId: string,
  afterSeq: number,
  limit = 1000,
): Promise<EventListRow[]> {
  return await db
    .selectFrom('events')
    .leftJoin('users', 'users.id', 'events.author_id')
    .selectAll('events')
    .select('users.email as author_email')
    .where('events.workspace_id', '=', workspaceId)
    .where('events.session_id', '=', sessionId)
    .where('events.seq', '>', afterSeq)
    .orderBy('events.seq')
    .limit(limit)
    .execute()
}

/** The session's highest seq, 0 before its first event. */
export async function lastSeq(
  db: Kysely<Database>,
  workspaceId: string,
  sessionId: string,
): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('workspace_id', '=', workspaceId)
    .where('session_id', '=', sessionId)
    .executeTakeFirst()
  return Number(row?.seq ?? 0)
}

/** Turns that took a message and have no `turn.end`: after a restart, the
 * turns the server was running when it stopped. */
export async function listUnfinishedTurns(
  db: Kysely<Database>,
  workspaceId: string,
): Promise<Array<{ session_id: string; turn_id: string }>> {
  const rows = await db
    .selectFrom('events as started')
    .select(['started.session_id', 'started.turn_id'])
    .distinct()
    .where('started.workspace_id', '=', workspaceId)
    .where('started.kind', '=', 'message')
    .where('started.turn_id', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('events as ended')
            .select('ended.seq')
            .whereRef('ended.workspace_id', '=', 'started.workspace_id')
            .whereRef('ended.session_id', '=', 'started.session_id')
            .whereRef('ended.turn_id', '=', 'started.turn_id')
            .where('ended.kind', '=', 'turn.end'),
        ),
      ),
    )
    .execute()
  return rows.flatMap((row) =>
    row.turn_id === null
      ? []
      : [{ session_id: row.session_id, turn_id: row.turn_id }],
  )
}
