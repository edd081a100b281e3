import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { freePort } from '../../test/support/processes.ts'
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

describe('omni start in the background', () => {
  let workspace: FakeWorkspace

  before(async () => {
    workspace = await startFakeWorkspace()
  })
  after(() => workspace.close())

  it('says at once why its server stopped instead of waiting for it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omni-start-'))
    const taken = createHttpServer((_req, res) => res.writeHead(404).end())
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port

    try {
      const result = await runCli(['start', '--port', String(port)], {
        OMNI_HOME: home,
      })

      assert.equal(result.code, 1)
      assert.match(
        result.stderr,
        new RegExp(
          `^(Starting the server\\.+\\n)?omni: The server stopped: Port ${port} is already in use; pick another with --port\\.\\n$`,
        ),
      )
      assert.equal(existsSync(join(home, 'server.pid')), false)
    } finally {
      taken.close()
    }
  })

  it('refuses a second start on another port while its server runs', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omni-start-'))
    // Any omni process stands in for the running server.
    const waiting = startCli(['login', workspace.url], { OMNI_HOME: home })
    await waiting.stderrLine(/^https?:\/\//)
    writeFileSync(join(home, 'server.pid'), `${waiting.child.pid}\n`)

    try {
      const result = await runCli(
        ['start', '--port', String(await freePort())],
        { OMNI_HOME: home },
      )

      assert.equal(result.code, 1)
      assert.equal(
        result.stderr,
        `omni: The server omni start started is already running (pid ${waiting.child.pid}) on another port; stop it with omni stop first.\n`,
      )
    } finally {
      waiting.child.kill()
    }
  })
})

describe('omni start --foreground', () => {
  it('keeps the terminal for the person and the server log in its file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omni-start-'))
    const port = await freePort()
    const start = startCli(['start', '--foreground', '--port', String(port)], {
      OMNI_HOME: home,
    })

    try {
      // The sign-in link is the first thing the person needs.
      await start.stderrLine(new RegExp(`^http://127\\.0\\.0\\.1:${port}/`))
      const log = readFileSync(join(home, 'server.log'), 'utf8')
      assert.match(log, /"msg":"server started"/)
      assert.match(log, /"path":"\/oidc\/\.well-known\/openid-configuration"/)
    } finally {
      start.child.kill('SIGINT')
    }
    const { stdout, stderr } = await start.result
    assert.doesNotMatch(stdout + stderr, /"level":/)
  })
})
