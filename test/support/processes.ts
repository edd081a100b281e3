// Real product processes for end-to-end tests: the server, hosts and CLI
// commands run as the user would run them, each with its own OMNI_HOME.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const repoRoot = resolve(import.meta.dirname, '..', '..')
const cliMain = join(repoRoot, 'src', 'cli', 'main.ts')

/** Everything every spawned process printed, for the secret scan. */
export const allOutput: string[] = []

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `omni-${prefix}-`))
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolvePort(port))
    })
  })
}

export interface Proc {
  child: ChildProcess
  output(): string
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  exited: Promise<number>
  stop(): Promise<number>
}

export function startProcess(
  args: string[],
  env: Record<string, string | undefined>,
): Proc {
  const child = spawn(process.execPath, [cliMain, ...args], {
    cwd: repoRoot,
    env: { ...process.env, BROWSER: 'true', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let text = ''
  const waiters = new Set<() => void>()
  const onData = (chunk: Buffer) => {
    text += chunk.toString()
    allOutput.push(chunk.toString())
    for (const wake of waiters) wake()
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)

  const exited = new Promise<number>((done) => {
    child.on('exit', (code, signal) => {
      done(code ?? (signal ? 128 : 0))
      for (const wake of waiters) wake()
    })
  })

  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((done, reject) => {
        const check = () => {
          const match = pattern.exec(text)
          if (match) {
            cleanup()
            done(match)
          } else if (child.exitCode !== null) {
            cleanup()
            reject(new Error(`process ended before ${pattern}:\n${text}`))
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`timed out waiting for ${pattern}:\n${text}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      return exited
    },
  }
}

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs one `omni` command to completion. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  input?: string,
): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cliMain, ...args], {
      cwd: repoRoot,
      env: { ...process.env, BROWSER: 'true', ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      allOutput.push(chunk.toString())
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      allOutput.push(chunk.toString())
    })
    child.stdin.end(input ?? '')
    child.on('exit', (code) => done({ code: code ?? 1, stdout, stderr }))
  })
}
