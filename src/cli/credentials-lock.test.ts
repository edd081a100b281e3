import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { CliError } from './cli-error.ts'
import {
  isStale,
  lockFileName,
  withCredentialsLock,
} from './credentials-lock.ts'

const home = () => mkdtempSync(join(tmpdir(), 'omni-lock-'))

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  return child.pid
}

describe('withCredentialsLock', () => {
  it('runs one holder at a time and removes the lock afterwards', async () => {
    const dir = home()
    const order: string[] = []
    const hold = (name: string) =>
      withCredentialsLock(dir, async () => {
        order.push(`${name} in`)
        await new Promise((resolve) => setTimeout(resolve, 30))
        order.push(`${name} out`)
      })

    await Promise.all([hold('a'), hold('b'), hold('c')])

    for (let i = 0; i < order.length; i += 2) {
      assert.equal(
        order[i]?.replace(' in', ''),
        order[i + 1]?.replace(' out', ''),
      )
    }
    assert.equal(existsSync(join(dir, lockFileName)), false)
  })

  it('holds the pid of its owner in the lock file while held', async () => {
    const dir = home()
    const content = await withCredentialsLock(dir, () =>
      readFileSync(join(dir, lockFileName), 'utf8'),
    )
    assert.equal(content.split(' ')[0], String(process.pid))
  })

  it('breaks a lock whose owner has exited', async () => {
    const dir = home()
    writeFileSync(join(dir, lockFileName), `${deadPid()} ${Date.now()} x`)

    const ran = await withCredentialsLock(dir, () => true, { timeoutMs: 500 })

    assert.equal(ran, true)
  })

  it('breaks a lock older than the stale age even if its pid is alive', async () => {
    const dir = home()
    const old = Date.now() - 120_000
    writeFileSync(join(dir, lockFileName), `${process.pid} ${old} x`)

    const ran = await withCredentialsLock(dir, () => true, { timeoutMs: 500 })

    assert.equal(ran, true)
  })

  it('waits for a live, young lock and then says which file to remove', async () => {
    const dir = home()
    const path = join(dir, lockFileName)
    writeFileSync(path, `${process.pid} ${Date.now()} x`)

    await assert.rejects(
      withCredentialsLock(dir, () => true, { timeoutMs: 100 }),
      (error: unknown) =>
        error instanceof CliError &&
        error.exitCode === 1 &&
        error.message ===
          `Another omni process has held ${path} for too long; if none is running, remove that file.`,
    )
    assert.equal(existsSync(path), true)
  })

  it('leaves a lock alone that another process took after its own was broken', async () => {
    const dir = home()
    const path = join(dir, lockFileName)
    const theirs = `${process.pid} ${Date.now()} theirs`

    await withCredentialsLock(dir, () => writeFileSync(path, theirs))

    assert.equal(readFileSync(path, 'utf8'), theirs)
  })
})

describe('isStale', () => {
  it('treats a lock being written (empty) as young', () => {
    assert.equal(isStale('', 60_000), false)
  })

  it('treats unreadable content as stale', () => {
    assert.equal(isStale('garbage', 60_000), true)
  })
})
