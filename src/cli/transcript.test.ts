import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { EventBody, SessionEvent } from '../protocol/session-events.ts'
import { formatEvent } from './transcript.ts'

function event(body: EventBody, author: string | null = null): SessionEvent {
  return {
    ...body,
    seq: 1,
    sessionId: 'ses_1',
    turnId: 'turn_1',
    author,
    at: '2025-01-01T00:00:00.000Z',
  } as SessionEvent
}

describe('formatEvent', () => {
  it("shows a message with its author's email", () => {
    assert.deepEqual(
      formatEvent(
        event({ kind: 'message', text: 'fix the tests' }, 'alice@example.com'),
      ),
      ['alice@example.com: fix the tests'],
    )
  })

  it('shows the agent’s text as agent', () => {
    assert.deepEqual(
      formatEvent(event({ kind: 'assistant.text', text: 'Done.' })),
      ['agent: Done.'],
    )
  })

  it('shows a tool call with a lone string argument bare', () => {
    const call = event({
      kind: 'tool.call',
      callId: 'c1',
      tool: 'run_command',
      args: { command: 'npm test' },
    })
    assert.deepEqual(formatEvent(call), ['  $ run_command(npm test)'])
  })

  it('shows other tool arguments as compact JSON', () => {
    const call = event({
      kind: 'tool.call',
      callId: 'c1',
      tool: 'read_file',
      args: { path: 'a.ts', limit: 20 },
    })
    assert.deepEqual(formatEvent(call), [
      '  $ read_file({"path":"a.ts","limit":20})',
    ])
  })

  it('shows the first three lines of a tool result and counts the rest', () => {
    const result = event({
      kind: 'tool.result',
      callId: 'c1',
      output: 'one\ntwo\nthree\nfour\nfive\n',
      isError: false,
    })
    assert.deepEqual(formatEvent(result), [
      '  → one',
      '    two',
      '    three',
      '    … 2 more lines',
    ])
  })

  it('marks a failed tool result as an error', () => {
    const result = event({
      kind: 'tool.result',
      callId: 'c1',
      output: 'ENOENT',
      isError: true,
    })
    assert.deepEqual(formatEvent(result), ['  → error: ENOENT'])
  })

  it('says when a tool printed nothing', () => {
    const result = event({
      kind: 'tool.result',
      callId: 'c1',
      output: '',
      isError: false,
    })
    assert.deepEqual(formatEvent(result), ['  → (no output)'])
  })

  it('marks the end of a turn with its status and error', () => {
    assert.deepEqual(
      formatEvent(event({ kind: 'turn.end', status: 'completed' })),
      ['[turn completed]'],
    )
    assert.deepEqual(
      formatEvent(
        event({ kind: 'turn.end', status: 'failed', error: 'model timed out' }),
      ),
      ['[turn failed: model timed out]'],
    )
  })

  it('says who renamed the session', () => {
    assert.deepEqual(
      formatEvent(
        event({ kind: 'session.renamed', title: 'New' }, 'bob@example.com'),
      ),
      ['[bob@example.com renamed the session to "New"]'],
    )
  })
})
