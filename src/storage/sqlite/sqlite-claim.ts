// One server per SQLite file. The server keeps running turns and connected
// hosts in memory, so a second server on the same file would end the first
// one's turns as "cut off by a restart" and split its live state. A lock
// file beside the database names the process that holds it; one left by a
// process that has died is taken over.

import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { isAlive } from '../../core/process-alive.ts'
import type { DatabaseClaim } from '../database.ts'

interface Holder {
  pid: number
  /** The process's start time (/proc/PID/stat), so a reused pid is not
   * mistaken for the holder; absent where /proc is missing. */
  started?: string
}

export function claimSqliteFile(path: string): DatabaseClaim {
  const lockPath = `${path}.lock`
  const me: Holder = { pid: process.pid, ...startedOf(process.pid) }

  // Twice at most: the second try follows the removal of a dead holder's
  // file; another server that wins that race keeps the file.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(lockPath, me)) return releaser(lockPath, me)

    const holder = readHolder(lockPath)
    if (holder && isRunning(holder)) {
      throw new Error(
        `Another Omnigent server (pid ${holder.pid}) is using ${path}; ` +
          'stop it first, or give this one another --data-dir.',
      )
    }
    rmSync(lockPath, { force: true })
  }
  throw new Error(`Could not claim ${path}; another server is starting.`)
}

function tryCreate(lockPath: string, me: Holder): boolean {
  let fd: number
  try {
    fd = openSync(lockPath, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

function releaser(lockPath: string, me: Holder): DatabaseClaim {
  return {
    async release() {
      // Only our own file: after a takeover it may be another server's.
      if (readHolder(lockPath)?.pid === me.pid)
        rmSync(lockPath, { force: true })
    },
  }
}

function readHolder(lockPath: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(lockPath, 'utf8')) as Holder
    return Number.isInteger(holder.pid) && holder.pid > 0 ? holder : undefined
  } catch {
    return undefined
  }
}

function isRunning(holder: Holder): boolean {
  if (!isAlive(holder.pid)) return false
  const now = statOf(holder.pid)
  // A zombie has ended; only its parent has not collected it yet.
  if (now?.state === 'Z') return false
  return holder.started === undefined || now === undefined
    ? true
    : holder.started === now.started
}

function startedOf(pid: number): { started?: string } {
  const started = statOf(pid)?.started
  return started === undefined ? {} : { started }
}

function statOf(pid: number): { state?: string; started?: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which may hold spaces and brackets:
    // state is field 3 of the whole line and starttime field 22 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0], started: fields[19] }
  } catch {
    return undefined
  }
}
