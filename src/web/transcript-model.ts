// Turns the event log into what the transcript shows: a tool call and its
// result become one block, everything else one item per event.

import type { SessionEvent, TurnStatus } from '../protocol/session-events.ts'

export interface ToolResult {
  seq: number
  output: string
  isError: boolean
}

export type TranscriptItem =
  | { type: 'message'; seq: number; author: string | null; text: string }
  | { type: 'text'; seq: number; text: string }
  | {
      type: 'tool'
      seq: number
      callId: string
      tool: string
      args: unknown
      result: ToolResult | null
    }
  | { type: 'error'; seq: number; message: string }
  | { type: 'turn-end'; seq: number; status: TurnStatus; error: string | null }
  | { type: 'renamed'; seq: number; author: string | null; title: string }

export function buildTranscript(
  events: readonly SessionEvent[],
): TranscriptItem[] {
  const items: TranscriptItem[] = []
  const openCalls = new Map<string, Extract<TranscriptItem, { type: 'tool' }>>()

  for (const event of events) {
    if (event.kind === 'tool.result') {
      const result = {
        seq: event.seq,
        output: event.output,
        isError: event.isError,
      }
      const call = openCalls.get(event.callId)
      if (call) {
        call.result = result
        openCalls.delete(event.callId)
      } else {
        items.push(orphanResult(event.callId, result))
      }
      continue
    }

    const item = itemFor(event)
    if (item.type === 'tool') openCalls.set(item.callId, item)
    items.push(item)
  }

  return items
}

function itemFor(
  event: Exclude<SessionEvent, { kind: 'tool.result' }>,
): TranscriptItem {
  const seq = event.seq
  switch (event.kind) {
    case 'message':
      return { type: 'message', seq, author: event.author, text: event.text }
    case 'assistant.text':
      return { type: 'text', seq, text: event.text }
    case 'tool.call':
      return {
        type: 'tool',
        seq,
        callId: event.callId,
        tool: event.tool,
        args: event.args,
        result: null,
      }
    case 'agent.error':
      return { type: 'error', seq, message: event.message }
    case 'turn.end':
      return {
        type: 'turn-end',
        seq,
        status: event.status,
        error: event.error ?? null,
      }
    case 'session.renamed':
      return { type: 'renamed', seq, author: event.author, title: event.title }
  }
}

/** A result whose call was not in the log we hold still shows its output. */
function orphanResult(callId: string, result: ToolResult): TranscriptItem {
  return {
    type: 'tool',
    seq: result.seq,
    callId,
    tool: 'tool',
    args: undefined,
    result,
  }
}

/** A turn runs from its message until its `turn.end`. */
export function isTurnRunning(events: readonly SessionEvent[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const kind = events[i]?.kind
    if (kind === 'turn.end') return false
    if (kind === 'message') return true
  }
  return false
}

/** The newest rename in the log, or null when there was none. */
export function latestTitle(events: readonly SessionEvent[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]
    if (event?.kind === 'session.renamed') return event.title
  }
  return null
}

/** Tool arguments as a short one-line preview and a full pretty form. */
export function formatArgs(args: unknown): { preview: string; full: string } {
  const full =
    typeof args === 'string' ? args : (JSON.stringify(args, null, 2) ?? '')
  const flat = full.replace(/\s+/g, ' ').trim()
  const preview = flat.length > 80 ? `${flat.slice(0, 79)}…` : flat
  return { preview, full }
}
