// Questions the CLI asks a person, each with a non-interactive path so that
// scripts and tests can drive every command: secrets come from a prompt with
// echo off on a terminal, or from stdin, or from the environment, never from
// the command line (where other users of the machine can read them).

import { CliError, usageError } from './cli-error.ts'

export function stdinIsTty(): boolean {
  return Boolean(process.stdin.isTTY)
}

/** OMNI_PASSWORD, else a hidden prompt on a terminal (asked twice), else
 * the first line of stdin. */
export async function readPassword(label: string): Promise<string> {
  const fromEnv = process.env.OMNI_PASSWORD
  let password: string
  if (fromEnv !== undefined) password = fromEnv
  else if (stdinIsTty()) password = await askTwice(label)
  else password = firstLine(await readAllStdin())

  if (!password) throw usageError('The password is empty.')
  return password
}

async function askTwice(label: string): Promise<string> {
  const first = await askHidden(`${label}: `)
  const second = await askHidden(`${label} again: `)
  if (first !== second) throw usageError('The two passwords differ.')
  return first
}

/** Reads one line from the terminal without echoing it. */
export function askHidden(question: string): Promise<string> {
  const input = process.stdin
  process.stderr.write(question)
  input.setRawMode(true)
  input.resume()
  input.setEncoding('utf8')

  return new Promise((resolve, reject) => {
    let typed = ''
    const done = (error?: Error) => {
      input.off('data', onData)
      input.setRawMode(false)
      input.pause()
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(typed)
    }
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done()
        if (char === '\u0003') return done(new CliError('Cancelled.'))
        if (char === '\u0004' && !typed) return done(new CliError('Cancelled.'))
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1)
        else typed += char
      }
    }
    input.on('data', onData)
  })
}

/** A yes/no question on a terminal; anything but y or yes is no. */
export async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises')
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = await rl.question(`${question} [y/N] `)
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    rl.close()
  }
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? ''
}
