// One writer of credentials.json at a time, across every `omni` command and
// host daemon sharing an OMNI_HOME. Refresh tokens rotate and are single use
// (RFC 9700 §4.14.2), so two processes refreshing at once would sign the
// profile out. The lock is a file created with O_EXCL that holds its owner's
// pid and the time it was taken; a lock whose owner is gone, or that is
// older than any refresh can take, is stale and is broken.

import { randomBytes } from 'node:crypto'
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { CliError } from './cli-error.ts'
import { ensureOmniHome } from './omni-home.ts'
import { isAlive } from '../core/process-alive.ts'

export const lockFileName = 'credentials.lock'

export interface LockOptions {
  /** A lock older than this is stale whoever holds it. */
  staleMs?: number
  /** Give up waiting after this long. */
  timeoutMs?: number
  pollMs?: number
}

const defaults = { staleMs: 60_000, timeoutMs: 90_000, pollMs: 25 }

/** Runs `work` while holding the lock of `home`. */
export async function withCredentialsLock<T>(
  home: string,
  work: () => Promise<T> | T,
  options: LockOptions = {},
): Promise<T> {
  const settings = { ...defaults, ...options }
  const path = join(ensureOmniHome(home), lockFileName)
  const mine = `${process.pid} ${Date.now()} ${randomBytes(6).toString('hex')}`

  await acquire(path, mine, settings)
  try {
    return await work()
  } finally {
    release(path, mine)
  }
}

async function acquire(
  path: string,
  mine: string,
  settings: typeof defaults,
): Promise<void> {
  const deadline = Date.now() + settings.timeoutMs

  for (;;) {
    if (tryCreate(path, mine)) return

    const held = readLock(path)
    if (held !== undefined && isStale(held, settings.staleMs)) {
      breakLock(path, held)
      continue
    }

    if (Date.now() > deadline) {
      throw new CliError(
        `Another omni process has held ${path} for too long; if none is running, remove that file.`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, settings.pollMs))
  }
}

function tryCreate(path: string, content: string): boolean {
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  try {
    writeSync(fd, content)
  } finally {
    closeSync(fd)
  }
  return true
}

/** The lock's content; undefined when it vanished meanwhile. */
function readLock(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** Stale when its owner has exited or it is older than any refresh. A lock
 * read mid-write (empty) is young, not stale. */
export function isStale(content: string, staleMs: number): boolean {
  const [pidText, takenText] = content.split(' ')
  const pid = Number(pidText)
  const takenAt = Number(takenText)
  if (!Number.isInteger(pid) || !Number.isFinite(takenAt)) {
    return content.length > 0
  }
  if (Date.now() - takenAt > staleMs) return true
  return !isAlive(pid)
}

/** Moves the stale lock aside first, so that of several processes breaking
 * it at once only one succeeds; if a live lock was taken in between, it is
 * put back. */
function breakLock(path: string, stale: string): void {
  const aside = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`
  try {
    renameSync(path, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }

  if (readLock(aside) !== stale) {
    try {
      linkSync(aside, path)
    } catch {
      // Someone holds a newer lock already; the moved one was stale too.
    }
  }
  rmSync(aside, { force: true })
}

/** Removes the lock only if it is still ours; a lock broken as stale and
 * taken by another process stays theirs. */
function release(path: string, mine: string): void {
  if (readLock(path) === mine) rmSync(path, { force: true })
}
