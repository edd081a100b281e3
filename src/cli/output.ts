// Plain-text output helpers: aligned tables for people, JSON for scripts.
// Everything printed goes through safe-text.ts first, since much of it came
// from other people, the agent or a server.

import { safeJson, safeLine, safeText } from './safe-text.ts'

/** A reader that stops early (`omni audit --json | head -1`) closes the
 * pipe, and the next write fails with EPIPE. That is the reader's choice,
 * not a fault: end at once and quietly, with status 0, as Unix tools do
 * when the rest of their output is no longer wanted. Without a listener the
 * failed write would end the process with a stack trace. */
export function endQuietlyWhenReaderLeaves(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
    throw error
  })
}

export function printJson(value: unknown): void {
  process.stdout.write(`${safeJson(JSON.stringify(value, null, 2))}\n`)
}

/** One compact JSON value a line, for logs and `jq -c` pipelines. */
export function printJsonLines(values: unknown[]): void {
  for (const value of values) {
    process.stdout.write(`${safeJson(JSON.stringify(value))}\n`)
  }
}

/** One row a line: a newline in a cell (a title, say) would break the
 * table, so cells are shown on one line. */
export function printTable(headers: string[], rows: string[][]): void {
  const cells = rows.map((row) => row.map(safeLine))
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => (row[i] ?? '').length)),
  )
  const line = (row: string[]) =>
    row
      .map((cell, i) =>
        i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd()

  const out = [line(headers.map((h) => h.toUpperCase())), ...cells.map(line)]
  process.stdout.write(`${out.join('\n')}\n`)
}

export function say(text: string): void {
  process.stdout.write(`${safeText(text)}\n`)
}

export function note(text: string): void {
  process.stderr.write(`${safeText(text)}\n`)
}

/** For text written without a line end of its own (prompts, progress). */
export function writeErr(text: string): void {
  process.stderr.write(safeText(text))
}
