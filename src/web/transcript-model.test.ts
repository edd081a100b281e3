import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { EventBody, SessionEvent } from '../protocol/session-events.ts'
import {
  buildTranscript,
  formatArgs,
  isTurnRunning,
  latestTitle,
} from './transcript-model.ts'

function log(...bodies: EventBody[]): SessionEvent[] {
  return bodies.map((body, i) => ({
    ...body,
    seq: i + 1,
    sessionId: 'ses_1',
    turnId: 'turn_1',
    author: body.kind === 'message' ? 'ada@example.com' : null,
    at: '2025-01-01T00:00:00.000Z',
  }))
}

describe('buildTranscript', () => {
  it('shows a message with its author and the agent text after it', () => {
    const items = buildTranscript(
      log(
        { kind: 'message', text: 'hello' },
        { kind: 'assistant.text', text: 'hi' },
      ),
    )

    assert.deepEqual(items, [
      { type: 'message', seq: 1, author: 'ada@example.com', text: 'hello' },
      { type: 'text', seq: 2, text: 'hi' },
    ])
  })

  it('joins a tool result to its call in one block', () => {
    const items = buildTranscript(
      log(
        { kind: 'tool.call', callId: 'c1', tool: 'run', args: { cmd: 'ls' } },
        { kind: 'tool.call', callId: 'c2', tool: 'read', args: { path: 'a' } },
        { kind: 'tool.result', callId: 'c2', output: 'A', isError: false },
        { kind: 'tool.result', callId: 'c1', output: 'boom', isError: true },
      ),
    )

    assert.equal(items.length, 2)
    assert.deepEqual(items[0], {
      type: 'tool',
      seq: 1,
      callId: 'c1',
      tool: 'run',
      args: { cmd: 'ls' },
      result: { seq: 4, output: 'boom', isError: true },
    })
    assert.deepEqual(items[1]?.type === 'tool' && items[1].result, {
      seq: 3,
      output: 'A',
      isError: false,
    })
  })

  it('leaves a call without a result as running', () => {
    const items = buildTranscript(
      log({ kind: 'tool.call', callId: 'c1', tool: 'run', args: {} }),
    )

    assert.equal(items[0]?.type === 'tool' && items[0].result, null)
  })

  it('still shows a result whose call is not in the log', () => {
    const items = buildTranscript(
      log({ kind: 'tool.result', callId: 'gone', output: 'x', isError: false }),
    )

    assert.equal(items[0]?.type, 'tool')
    assert.equal(items[0]?.seq, 1)
  })

  it('shows turn ends, agent errors and renames', () => {
    const items = buildTranscript(
      log(
        { kind: 'agent.error', message: 'model down' },
        { kind: 'turn.end', status: 'failed', error: 'model down' },
        { kind: 'session.renamed', title: 'New' },
      ),
    )

    assert.deepEqual(
      items.map((i) => i.type),
      ['error', 'turn-end', 'renamed'],
    )
    assert.deepEqual(items[1], {
      type: 'turn-end',
      seq: 2,
      status: 'failed',
      error: 'model down',
    })
  })
})

describe('isTurnRunning', () => {
  it('is true from a message until its turn ends', () => {
    const running = log(
      { kind: 'message', text: 'go' },
      { kind: 'assistant.text', text: 'working' },
    )
    const done = log(
      { kind: 'message', text: 'go' },
      { kind: 'turn.end', status: 'completed' },
    )

    assert.equal(isTurnRunning(running), true)
    assert.equal(isTurnRunning(done), false)
    assert.equal(isTurnRunning([]), false)
  })
})

describe('latestTitle', () => {
  it('is the newest rename, or null without one', () => {
    const renamed = log(
      { kind: 'session.renamed', title: 'First' },
      { kind: 'message', text: 'x' },
      { kind: 'session.renamed', title: 'Second' },
    )

    assert.equal(latestTitle(renamed), 'Second')
    assert.equal(latestTitle(log({ kind: 'message', text: 'x' })), null)
  })
})

describe('formatArgs', () => {
  it('previews long arguments on one line and keeps the full form', () => {
    const args = { command: 'x'.repeat(200) }

    const { preview, full } = formatArgs(args)

    assert.equal(preview.length, 80)
    assert.ok(preview.endsWith('…'))
    assert.equal(full, JSON.stringify(args, null, 2))
  })
})
