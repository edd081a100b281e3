// What the agent on a host can reach, with real processes: an editor who
// drives the owner's agent does not get the owner's Omnigent credentials
// (no OMNI_ variable in its commands, file tools fenced off the Omnigent
// home), and a host killed with SIGKILL has the commands it left running
// stopped by the next host started from the same home.

import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { SessionEvent } from '../../src/protocol/session-events.ts'
import { startScriptedModelServer } from '../support/scripted-model-server.ts'
import { tempDir, type Proc } from '../support/processes.ts'
import {
  Person,
  startProduct,
  type RunningProduct,
} from '../support/product.ts'

const modelKey = 'sk-test-host-agent-key-0123456789'

describe('the agent on a host', () => {
  let product: RunningProduct
  let model: Awaited<ReturnType<typeof startScriptedModelServer>>
  let alice: Person
  let bob: Person
  let host: Proc
  let workDir: string
  let sessionId: string
  const hosts: Proc[] = []
  const modelEnv = () => ({
    OMNI_MODEL_BASE_URL: model.baseUrl,
    OMNI_MODEL: 'scripted',
    OMNI_MODEL_API_KEY: modelKey,
  })

  before(async () => {
    model = await startScriptedModelServer({ apiKey: modelKey, script: [] })
    product = await startProduct()
    alice = new Person(product.url, 'alice@example.com', 'alice-password-1')
    bob = new Person(product.url, 'bob@example.com', 'bob-password-12')
    workDir = tempDir('work')

    const setup = await alice.omni(
      ['users', 'add', alice.email, '--admin', '--workspace', product.url],
      { OMNI_PASSWORD: alice.password },
    )
    assert.equal(setup.code, 0, setup.stderr)
    await alice.login()
    await alice.signInWeb()
    const added = await alice.omni(['users', 'add', bob.email], {
      OMNI_PASSWORD: bob.password,
    })
    assert.equal(added.code, 0, added.stderr)
    assert.equal((await alice.omni(['admin', 'enable'])).code, 0)
    await bob.login()

    host = alice.startHost(modelEnv())
    hosts.push(host)
    await host.waitFor(/Host laptop is connected/)

    const created = await alice.omni(
      ['new', '--host', 'laptop', '--dir', workDir],
      {},
    )
    assert.equal(created.code, 0, created.stderr)
    sessionId = created.stdout.trim()
    const shared = await alice.omni(['share', sessionId, bob.email, '--edit'])
    assert.equal(shared.code, 0, shared.stderr)
  })

  after(async () => {
    await Promise.all(hosts.map((one) => one.stop()))
    await product?.stop()
    await model?.close()
    for (const dir of [alice?.home, bob?.home, workDir]) {
      if (dir) rmSync(dir, { recursive: true, force: true })
    }
  })

  test(
    "an editor's agent sees no OMNI_ variable and cannot read the owner's credentials",
    { timeout: 60_000 },
    async () => {
      const credentials = join(alice.home, 'credentials.json')
      model.push(
        { toolCalls: [{ name: 'run_command', arguments: { command: 'env' } }] },
        {
          toolCalls: [{ name: 'read_file', arguments: { path: credentials } }],
        },
        { content: 'Here is what I found.' },
      )

      const sent = await bob.omni(['send', sessionId, 'Print env and creds.'])
      assert.equal(sent.code, 0, sent.stderr)

      const shown = await alice.omni(['show', sessionId])
      assert.equal(shown.code, 0, shown.stderr)
      const events = await sessionEvents(alice, sessionId)
      const results = events.filter((e) => e.kind === 'tool.result')
      assert.equal(results.length, 2)
      assert.match(results[0]?.output ?? '', /\bPATH=/)
      assert.equal(
        results[1]?.output,
        "Omnigent's own credentials are not available to the agent.",
      )

      const everything = JSON.stringify(events) + JSON.stringify(model.requests)
      assert.doesNotMatch(everything, /OMNI_/)
      for (const secret of tokensIn(credentials)) {
        assert.equal(everything.includes(secret), false, 'a token leaked')
        assert.equal(shown.stdout.includes(secret), false, 'a token printed')
      }
    },
  )

  test(
    'a host killed outright has its running command stopped by the next host',
    { timeout: 60_000 },
    async () => {
      const marker = join(workDir, 'orphan.txt')
      model.push({
        toolCalls: [
          {
            name: 'run_command',
            arguments: { command: `sleep 6; touch ${marker}` },
          },
        ],
      })
      const sent = await alice.api(
        'POST',
        `/api/sessions/${sessionId}/messages`,
        { text: 'Sleep, then touch.' },
      )
      assert.equal(sent.status, 202)
      await waitUntil(() => sessionHasCommandRunning(alice, sessionId))
      const commandStarted = Date.now()
      await new Promise((resolve) => setTimeout(resolve, 300))

      host.child.kill('SIGKILL')
      await host.exited

      const next = alice.startHost(modelEnv())
      hosts.push(next)
      await next.waitFor(
        /^Stopped commands an earlier host left running \(process groups \d+\)\.$/m,
      )
      await next.waitFor(/Host laptop is connected/)

      const pastItsEnd = commandStarted + 7000 - Date.now()
      await new Promise((resolve) => setTimeout(resolve, pastItsEnd))
      assert.equal(existsSync(marker), false, 'the orphaned command ran on')
    },
  )
})

async function sessionEvents(
  person: Person,
  sessionId: string,
): Promise<SessionEvent[]> {
  const events = await person.api(
    'GET',
    `/api/sessions/${sessionId}/events?after=0`,
  )
  assert.equal(events.status, 200)
  return events.body as SessionEvent[]
}

/** The command is running once its tool.call is stored. */
async function sessionHasCommandRunning(
  person: Person,
  sessionId: string,
): Promise<boolean> {
  const events = await sessionEvents(person, sessionId)
  const last = events.at(-1)
  return last?.kind === 'tool.call' && last.tool === 'run_command'
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function tokensIn(path: string): string[] {
  const file = JSON.parse(readFileSync(path, 'utf8')) as {
    profiles: Record<string, { accessToken: string; refreshToken?: string }>
  }
  return Object.values(file.profiles).flatMap((profile) =>
    [profile.accessToken, profile.refreshToken].filter(
      (token): token is string => typeof token === 'string',
    ),
  )
}
