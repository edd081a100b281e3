// Background processes for `omni start` / `omni stop`: a detached child of
// this same Node and main.ts, its output in a log file and its pid in a file
// under OMNI_HOME.

import { spawn, type ChildProcess } from 'node:child_process'
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isAlive } from '../core/process-alive.ts'

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url))

export function spawnBackground(
  args: string[],
  logFile: string,
  pidFile: string,
): ChildProcess {
  const log = openSync(logFile, 'a', 0o600)
  try {
    const child = spawn(process.execPath, [mainPath, ...args], {
      detached: true,
      stdio: ['ignore', log, log],
      env: process.env,
    })
    child.unref()
    if (child.pid === undefined) throw new Error(`could not start ${args[0]}`)
    writeFileSync(pidFile, `${child.pid}\n`, { mode: 0o600 })
    return child
  } finally {
    closeSync(log)
  }
}

/** The pid in the file when that process is still an omni process. */
export function runningPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  return isAlive(pid) && isOmni(pid) ? pid : undefined
}

/** Guards against a stale pid file whose number now belongs to some other
 * program; where /proc is missing the pid is trusted. */
function isOmni(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mainPath)
  } catch {
    return true
  }
}

/** SIGTERM, then SIGKILL if it is still there after the grace period. */
export async function stopProcess(pid: number, graceMs = 10_000) {
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (isAlive(pid) && Date.now() < deadline) await sleep(100)
  if (isAlive(pid)) process.kill(pid, 'SIGKILL')
}

export function removeFile(path: string): void {
  rmSync(path, { force: true })
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/** What was appended to a log after `from`, for progress and errors. */
export function readLogSince(path: string, from: number): string {
  try {
    return readFileSync(path).subarray(from).toString('utf8')
  } catch {
    return ''
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
