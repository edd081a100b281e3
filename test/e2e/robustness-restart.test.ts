// A server that dies mid-turn leaves no turn open for ever: on start-up it
// ends every turn it was running as failed, so `omni send`, followers and
// the web app stop waiting (trial finding 3).

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startScriptedModelServer } from '../support/scripted-model-server.ts'
import {
  freePort,
  startProcess,
  tempDir,
  type Proc,
} from '../support/processes.ts'
import { Person } from '../support/product.ts'

const modelKey = 'sk-test-restart-key-0123456789'
const restarted = 'The server restarted while the agent was working.'

describe('a server restart in the middle of a turn', () => {
  let model: Awaited<ReturnType<typeof startScriptedModelServer>>
  let port: number
  const dataDir = tempDir('restart-data')
  const serverHome = tempDir('restart-server-home')
  let server: Proc
  let host: Proc
  let send: Proc | undefined
  let alice: Person
  let sessionId: string

  const startServer = async () => {
    server = startProcess(
      ['server', '--port', String(port), '--data-dir', dataDir],
      { OMNI_HOME: serverHome },
    )
    await server.waitFor(/server started/, 30_000)
  }

  before(async () => {
    model = await startScriptedModelServer({ apiKey: modelKey, script: [] })
    port = await freePort()
    await startServer()
    const url = `http://127.0.0.1:${port}`
    alice = new Person(url, 'alice@example.com', 'alice-password-1')
    const setup = await alice.omni(
      ['users', 'add', alice.email, '--admin', '--workspace', url],
      { OMNI_PASSWORD: alice.password },
    )
    assert.equal(setup.code, 0, setup.stderr)
    await alice.login()
    assert.equal((await alice.omni(['admin', 'enable'])).code, 0)

    host = alice.startHost({
      OMNI_MODEL_BASE_URL: model.baseUrl,
      OMNI_MODEL: 'scripted',
      OMNI_MODEL_API_KEY: modelKey,
    })
    await host.waitFor(/connected/i)
    const created = await alice.omni(['new', '--host', 'laptop'])
    assert.equal(created.code, 0, created.stderr)
    sessionId = /s_[a-z0-9]+/.exec(created.stdout)?.[0] ?? ''
  })

  after(async () => {
    await send?.stop()
    await host?.stop()
    await server?.stop()
    await model?.close()
  })

  test(
    'refuses a second server on the same data folder and leaves the running turn alone',
    { timeout: 60_000 },
    async () => {
      model.push({ content: 'Still mine.', delayMs: 2_000 })
      const asked = model.requests.length
      const sending = startProcess(['send', sessionId, 'Go on.'], alice.env)
      await until(() => model.requests.length > asked)

      const second = startProcess(
        ['server', '--port', String(await freePort()), '--data-dir', dataDir],
        { OMNI_HOME: tempDir('second-server-home') },
      )

      const code = await Promise.race([second.exited, seconds(15)])
      await second.stop()
      assert.equal(code, 1, second.output())
      assert.match(
        second.output(),
        new RegExp(
          `^omni: The server did not start: Another Omnigent server \\(pid ${server.child.pid}\\) ` +
            'is using .*omnigent\\.db; stop it first, or give this one another --data-dir\\.\\n$',
        ),
      )
      assert.equal(await sending.exited, 0, sending.output())
      assert.match(sending.output(), /Still mine\./)
      assert.doesNotMatch(server.output(), /cut off by a restart/)
    },
  )

  test(
    'ends the cut turn as failed, and omni send says so and exits',
    { timeout: 60_000 },
    async () => {
      model.push({ content: 'too late', delayMs: 4_000 })
      const asked = model.requests.length
      send = startProcess(['send', sessionId, 'Take your time.'], alice.env)
      await until(() => model.requests.length > asked)

      server.child.kill('SIGKILL')
      await server.exited
      await startServer()
      const code = await Promise.race([send.exited, seconds(15)])

      assert.equal(code, 1, send.output())
      assert.match(send.output(), new RegExp(`The turn failed: ${restarted}`))
      await alice.signInWeb()
      const events = await alice.api('GET', `/api/sessions/${sessionId}/events`)
      const message = events.body.findLast(
        (event: { kind: string }) => event.kind === 'message',
      )
      const ends = events.body.filter(
        (event: { kind: string; turnId: string }) =>
          event.kind === 'turn.end' && event.turnId === message.turnId,
      )
      assert.deepEqual(
        ends.map((end: Record<string, unknown>) => [
          end.status,
          end.error,
          end.author,
        ]),
        [['failed', restarted, null]],
      )
      const detail = await alice.api('GET', `/api/sessions/${sessionId}`)
      assert.equal(detail.body.busy, false)
    },
  )
})

async function until(check: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function seconds(n: number): Promise<string> {
  return new Promise((resolve) => {
    setTimeout(() => resolve(`still running after ${n} s`), n * 1000).unref()
  })
}
