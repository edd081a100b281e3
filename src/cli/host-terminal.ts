// What `omni host` shows in a terminal: one plain sentence per lifecycle
// line (connected, reconnecting, refused, turn started and ended) instead of
// pino's JSON. OMNI_LOG_FORMAT=json keeps the JSON, for log files and
// collectors; `omni start` runs its background host that way.

import { pino, type Logger } from 'pino'

import { hostLines } from '../host/host-log.ts'
import { safeLine } from './safe-text.ts'

export function wantsJsonLogs(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OMNI_LOG_FORMAT === 'json'
}

/** Warnings and errors go to stderr, the rest to stdout. Every value is
 * shown inert: host names, owners and server messages come from others. */
export function terminalLogger(name: string): Logger {
  const level = process.env.OMNI_LOG_LEVEL ?? 'info'
  return pino(
    { name, level, serializers: { err: pino.stdSerializers.err } },
    { write: (json: string) => render(json) },
  )
}

function render(json: string): void {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(json) as Record<string, unknown>
  } catch {
    return
  }

  const sentence = hostLines[String(entry.msg)]?.(entry)
  if (!sentence) return
  const out = Number(entry.level) >= 40 ? process.stderr : process.stdout
  out.write(`${safeLine(sentence)}\n`)
}
