import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runCli, startCli } from './cli-run.test-support.ts'
import {
  startFakeWorkspace,
  type FakeWorkspace,
} from './fake-workspace.test-support.ts'

describe('omni stop', () => {
  let workspace: FakeWorkspace

  before(async () => {
    workspace = await startFakeWorkspace()
  })
  after(() => workspace.close())

  it('says so when nothing is running', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omni-stop-'))

    const result = await runCli(['stop'], { OMNI_HOME: home })

    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'Nothing was running.\n')
  })

  it('stops the omni process in the pid file and removes the file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omni-stop-'))
    // Any long-running omni process will do: a login waiting for a browser.
    const waiting = startCli(['login', workspace.url], { OMNI_HOME: home })
    await waiting.stderrLine(/^https?:\/\//)
    writeFileSync(join(home, 'host.pid'), `${waiting.child.pid}\n`)

    const result = await runCli(['stop'], { OMNI_HOME: home })

    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      `Stopped the host (pid ${waiting.child.pid}).\n`,
    )
    assert.equal((await waiting.result).code, null)
    assert.equal(existsSync(join(home, 'host.pid')), false)
  })

  it('leaves alone a process that is not omni, whatever the pid file says', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omni-stop-'))
    const other = spawn('sleep', ['30'], { stdio: 'ignore' })
    writeFileSync(join(home, 'server.pid'), `${other.pid}\n`)

    try {
      const result = await runCli(['stop'], { OMNI_HOME: home })

      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, 'Nothing was running.\n')
      assert.equal(other.exitCode, null)
      assert.equal(existsSync(join(home, 'server.pid')), false)
    } finally {
      other.kill()
    }
  })
})
