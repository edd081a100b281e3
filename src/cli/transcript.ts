// How a session's events read in a terminal: who said what, what the agent
// ran and what came back, and where each turn ended.

import type { SessionEvent } from '../protocol/session-events.ts'

const resultLines = 3
const argsWidth = 120

/** The lines one event prints as; empty for events with nothing to show. */
export function formatEvent(event: SessionEvent): string[] {
  switch (event.kind) {
    case 'message':
      return speech(event.author ?? 'someone', event.text)
    case 'assistant.text':
      return speech('agent', event.text)
    case 'tool.call':
      return [`  $ ${event.tool}(${formatArgs(event.args)})`]
    case 'tool.result':
      return formatResult(event.output, event.isError)
    case 'agent.error':
      return [`agent error: ${event.message}`]
    case 'turn.end':
      return [formatTurnEnd(event.status, event.error)]
    case 'session.renamed':
      return [
        `[${event.author ?? 'someone'} renamed the session to "${event.title}"]`,
      ]
  }
}

/** Later lines are indented, so a line of someone's text can never pass
 * for an event of its own ("agent: all tests pass"). */
function speech(who: string, text: string): string[] {
  const [first = '', ...rest] = text.split('\n')
  return [`${who}: ${first}`, ...rest.map((line) => `  ${line}`)]
}

export function formatTurnEnd(status: string, error?: string): string {
  return error ? `[turn ${status}: ${error}]` : `[turn ${status}]`
}

/** A command line reads best bare; other arguments as compact JSON. */
function formatArgs(args: unknown): string {
  let text: string
  if (typeof args === 'string') text = args
  else if (isSingleString(args)) text = Object.values(args)[0] as string
  else text = JSON.stringify(args) ?? ''
  return truncate(text.replace(/\s*\n\s*/g, ' '), argsWidth)
}

function isSingleString(value: unknown): value is Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false
  const values = Object.values(value)
  return values.length === 1 && typeof values[0] === 'string'
}

function formatResult(output: string, isError: boolean): string[] {
  const lines = output.replace(/\n+$/, '').split('\n')
  const shown = lines.slice(0, resultLines)
  const prefix = isError ? '  → error: ' : '  → '
  const out = shown.map((line, i) => (i === 0 ? prefix : '    ') + line)
  if (out.length === 0 || (shown.length === 1 && shown[0] === '')) {
    return [isError ? '  → error' : '  → (no output)']
  }

  const more = lines.length - shown.length
  if (more > 0) out.push(`    … ${more} more line${more === 1 ? '' : 's'}`)
  return out
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`
}
