// The follow stream's events, kept in seq order with none twice and none
// missing. The server sends every stored event after the seq we ask for, then
// each new one as it is stored, so a well-behaved stream is contiguous.

import type { SessionEvent } from '../protocol/session-events.ts'

export interface EventLog {
  readonly events: readonly SessionEvent[]
  /** The highest seq shown; the stream resumes after it on reconnect. */
  readonly lastSeq: number
}

export const emptyLog: EventLog = { events: [], lastSeq: 0 }

/** `duplicate`: already shown (a replay overlapped). `gap`: an event between
 * lastSeq and this one was missed, so the caller resumes from lastSeq. */
export type MergeOutcome = 'appended' | 'duplicate' | 'gap'

export interface MergeResult {
  log: EventLog
  outcome: MergeOutcome
}

/** `firstOnConnection`: the first event after connecting with
 * `after=lastSeq` is by contract the next stored one, so a jump in seq there
 * is the log's own shape, not a loss, and is accepted. */
export function mergeEvent(
  log: EventLog,
  event: SessionEvent,
  firstOnConnection = false,
): MergeResult {
  if (event.seq <= log.lastSeq) return { log, outcome: 'duplicate' }

  if (event.seq > log.lastSeq + 1 && !firstOnConnection) {
    return { log, outcome: 'gap' }
  }

  const next = { events: [...log.events, event], lastSeq: event.seq }
  return { log: next, outcome: 'appended' }
}
