// Commands the agent runs get their own process group, and the host kills
// that group when a turn is interrupted or the host stops. A host killed
// outright (kill -9, a crash, the machine's OOM killer) runs no code at all,
// so its commands would run on, unseen, for as long as they like. Each host
// therefore keeps a file of the groups it has running, and the next host
// started from the same Omnigent home stops those a dead host left behind.
//
// A recorded group is killed only when its leader is still the very process
// that was recorded: same pid and same start time, read from /proc. A pid
// the system has since given to something else is never touched. (The
// leader is not required to still be `bash`: bash runs a lone command by
// exec'ing it, which keeps the pid and start time but not the name.)
// Without /proc (macOS) nothing can be checked, so nothing is killed.

import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'

import type { CommandTracker } from '../agent/tools/tool.ts'
import { isAlive } from '../core/process-alive.ts'

interface Recorded {
  pid: number
  startTime: string
}

export interface CommandRecord extends CommandTracker {
  /** Stops the groups hosts that are gone left running; returns their pids. */
  stopLeftovers(): number[]
  /** Removes this host's file, when it stops normally. */
  close(): void
}

export function commandRecord(omniHome: string): CommandRecord {
  const dir = join(omniHome, 'running-commands')
  const file = join(dir, `${process.pid}.json`)
  const running = new Map<number, Recorded>()

  function save() {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const temp = `${file}.tmp`
    writeFileSync(temp, JSON.stringify([...running.values()]), { mode: 0o600 })
    renameSync(temp, file)
  }

  return {
    started(pid) {
      const startTime = processStartTime(pid)
      if (startTime === null) return
      running.set(pid, { pid, startTime })
      save()
    },

    ended(pid) {
      if (running.delete(pid)) save()
    },

    stopLeftovers() {
      return stopLeftovers(dir, file)
    },

    close() {
      rmSync(file, { force: true })
    },
  }
}

function stopLeftovers(dir: string, ownFile: string): number[] {
  const stopped: number[] = []
  for (const name of listFiles(dir)) {
    const path = join(dir, name)
    const hostPid = Number(name.replace(/\.json$/, ''))
    if (path === ownFile || !Number.isInteger(hostPid) || isAlive(hostPid)) {
      continue
    }

    for (const command of readRecorded(path)) {
      if (processStartTime(command.pid) !== command.startTime) continue
      try {
        // A negative pid signals the whole process group (kill(2)).
        process.kill(-command.pid, 'SIGKILL')
        stopped.push(command.pid)
      } catch {
        // Gone in the meantime.
      }
    }
    rmSync(path, { force: true })
  }
  return stopped
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => /^\d+\.json$/.test(name))
  } catch {
    return []
  }
}

function readRecorded(path: string): Recorded[] {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (!Array.isArray(value)) return []
    return value.filter(
      (item): item is Recorded =>
        Number.isInteger(item?.pid) &&
        item.pid > 1 &&
        typeof item.startTime === 'string',
    )
  } catch {
    return []
  }
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks
 * since boot. The command name (field 2) may hold spaces and parentheses,
 * so the fields are counted from the last ")". */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19] ?? null
  } catch {
    return null
  }
}
