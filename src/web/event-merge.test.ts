import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SessionEvent } from '../protocol/session-events.ts'
import { emptyLog, mergeEvent, type EventLog } from './event-merge.ts'

function message(seq: number, text = `m${seq}`): SessionEvent {
  return {
    kind: 'message',
    text,
    seq,
    sessionId: 'ses_1',
    turnId: `turn_${seq}`,
    author: 'ada@example.com',
    at: '2025-01-01T00:00:00.000Z',
  }
}

function mergeAll(log: EventLog, seqs: number[]): EventLog {
  for (const seq of seqs) log = mergeEvent(log, message(seq)).log
  return log
}

describe('mergeEvent', () => {
  it('appends the next event and advances lastSeq', () => {
    const result = mergeEvent(emptyLog, message(1))

    assert.equal(result.outcome, 'appended')
    assert.equal(result.log.lastSeq, 1)
    assert.deepEqual(
      result.log.events.map((e) => e.seq),
      [1],
    )
  })

  it('ignores an event already shown, keeping the first copy', () => {
    const log = mergeAll(emptyLog, [1, 2, 3])

    const result = mergeEvent(log, message(2, 'replayed'))

    assert.equal(result.outcome, 'duplicate')
    assert.equal(result.log, log)
    assert.equal(result.log.events.filter((e) => e.seq === 2).length, 1)
  })

  it('refuses an event that skips a seq mid-connection', () => {
    const log = mergeAll(emptyLog, [1, 2])

    const result = mergeEvent(log, message(4))

    assert.equal(result.outcome, 'gap')
    assert.equal(result.log.lastSeq, 2)
    assert.deepEqual(
      result.log.events.map((e) => e.seq),
      [1, 2],
    )
  })

  it('accepts a jump as the first event of a connection', () => {
    const log = mergeAll(emptyLog, [1, 2])

    const result = mergeEvent(log, message(5), true)

    assert.equal(result.outcome, 'appended')
    assert.equal(result.log.lastSeq, 5)
  })

  it('still drops a duplicate as the first event of a connection', () => {
    const log = mergeAll(emptyLog, [1, 2])

    const result = mergeEvent(log, message(2), true)

    assert.equal(result.outcome, 'duplicate')
    assert.equal(result.log.events.length, 2)
  })

  it('rebuilds the same log from a replay that overlaps it', () => {
    const first = mergeAll(emptyLog, [1, 2, 3])
    const replayed = mergeAll(first, [2, 3, 4, 5])

    assert.deepEqual(
      replayed.events.map((e) => e.seq),
      [1, 2, 3, 4, 5],
    )
    assert.equal(replayed.lastSeq, 5)
  })
})
