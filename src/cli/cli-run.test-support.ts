// Runs `node src/cli/main.ts …` as a child process, the way a person or the
// end-to-end tests do, and collects what it prints.

import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliProcess {
  child: ChildProcess
  /** Resolves with the first stderr line that matches. */
  stderrLine(pattern: RegExp): Promise<string>
  result: Promise<CliResult>
}

export function startCli(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): CliProcess {
  const child = spawn(process.execPath, [mainPath, ...args], {
    env: { PATH: process.env.PATH ?? '', BROWSER: 'none', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = []

  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    for (const waiter of [...waiters]) {
      const line = stderr.split('\n').find((l) => waiter.pattern.test(l))
      if (line === undefined) continue
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.resolve(line)
    }
  })
  child.stdin?.end(stdin ?? '')

  const result = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  )
  return {
    child,
    result,
    stderrLine: (pattern) =>
      new Promise((resolve) => waiters.push({ pattern, resolve })),
  }
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<CliResult> {
  return startCli(args, env, stdin).result
}
