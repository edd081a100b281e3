// `omni host` against the real server, as a person sees it in a terminal:
// readable lines rather than JSON; waiting (and saying so once) while
// Omnigent is off; one clear line and a non-zero exit for refusals that
// waiting cannot change; and, of two hosts started with one identity, the
// older stopping for good instead of the two replacing each other for ever;
// and a host whose access token is revoked stopping at once.

import assert from 'node:assert/strict'
import { cpSync, rmSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { startScriptedModelServer } from '../support/scripted-model-server.ts'
import {
  runCli,
  startProcess,
  tempDir,
  type Proc,
} from '../support/processes.ts'
import {
  Person,
  startProduct,
  type RunningProduct,
} from '../support/product.ts'

const modelKey = 'sk-test-host-lifecycle-key-0123456789'
const notEnabledLine =
  'Omnigent is not enabled for this workspace; waiting for an admin to turn it on (retrying).'
const replacedLine =
  'omni: Another omni host with this host id connected (on this or another machine); this one stops.'

describe('omni host in a terminal', () => {
  let product: RunningProduct
  let model: Awaited<ReturnType<typeof startScriptedModelServer>>
  let alice: Person
  const hosts: Proc[] = []
  const procs: Proc[] = []
  const dirs: string[] = []
  const modelEnv = () => ({
    OMNI_MODEL_BASE_URL: model.baseUrl,
    OMNI_MODEL: 'scripted',
    OMNI_MODEL_API_KEY: modelKey,
  })
  const startHost = (person: Person, name = 'laptop') => {
    const host = person.startHost(modelEnv(), name)
    hosts.push(host)
    return host
  }

  before(async () => {
    model = await startScriptedModelServer({ apiKey: modelKey, script: [] })
    product = await startProduct()
    alice = new Person(product.url, 'alice@example.com', 'alice-password-1')
    dirs.push(alice.home)
    const setup = await alice.omni(
      ['users', 'add', alice.email, '--admin', '--workspace', product.url],
      { OMNI_PASSWORD: alice.password },
    )
    assert.equal(setup.code, 0, setup.stderr)
    await alice.login()
  })

  after(async () => {
    await Promise.all([...hosts, ...procs].map((proc) => proc.stop()))
    await product?.stop()
    await model?.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  test(
    'while Omnigent is off a host says so once, then connects within seconds of it being turned on',
    { timeout: 60_000 },
    async () => {
      const host = startHost(alice)
      await host.waitFor(new RegExp(`^${escape(notEnabledLine)}$`, 'm'))
      // Long enough for several attempts, with their backoff capped at 5 s.
      await new Promise((resolve) => setTimeout(resolve, 6000))

      const enabled = await alice.omni(['admin', 'enable'])
      assert.equal(enabled.code, 0, enabled.stderr)
      const turnedOn = Date.now()
      await host.waitFor(/^Host laptop is connected as alice@example\.com\.$/m)

      assert.ok(Date.now() - turnedOn < 6000, 'took too long to connect')
      const said = host.output().split(notEnabledLine).length - 1
      assert.equal(said, 1, host.output())
      assert.doesNotMatch(host.output(), /"msg"/)
    },
  )

  test(
    'of two hosts with one identity the older stops with one line (exit 6) and the newer runs turns',
    { timeout: 60_000 },
    async () => {
      const first = hosts[0]
      assert.ok(first)
      const copy = new Person(product.url, alice.email, alice.password)
      dirs.push(copy.home)
      cpSync(alice.home, copy.home, { recursive: true })

      const second = startHost(copy)
      const started = Date.now()
      await second.waitFor(/^Host laptop is connected/m)

      assert.equal(await first.exited, 6, first.output())
      assert.ok(Date.now() - started < 5000, 'the older host took too long')
      assert.equal(first.output().trimEnd().split('\n').at(-1), replacedLine)

      const workDir = tempDir('work')
      dirs.push(workDir)
      const created = await alice.omni([
        'new',
        '--host',
        'laptop',
        '--dir',
        workDir,
      ])
      assert.equal(created.code, 0, created.stderr)
      model.push({ content: 'Still here.' })
      const sent = await alice.omni(['send', created.stdout.trim(), 'Hi.'])
      assert.equal(sent.code, 0, sent.stderr)
      assert.equal(sent.stdout, 'Still here.\n')

      assert.equal(second.child.exitCode, null)
      assert.doesNotMatch(second.output(), /Disconnected|Reconnecting/)
      assert.match(second.output(), /^Turn \S+ completed after [\d.]+ s\.$/m)
    },
  )

  test(
    'a second machine taking a host name already in use exits 1 with the server sentence',
    { timeout: 30_000 },
    async () => {
      const machine = new Person(product.url, alice.email, alice.password)
      dirs.push(machine.home)
      await machine.login()

      const host = startHost(machine, 'laptop')
      const started = Date.now()

      assert.equal(await host.exited, 1, host.output())
      assert.ok(Date.now() - started < 5000, 'took too long to give up')
      assert.equal(
        host.output(),
        'omni: You already have a host named "laptop".\n',
      )
    },
  )

  test(
    'a host signed in with an access token stops (exit 3) as soon as the token is revoked',
    { timeout: 30_000 },
    async () => {
      const created = await alice.omni(['tokens', 'create', '--name', 'box'])
      assert.equal(created.code, 0, created.stderr)
      const machine = new Person(product.url, alice.email, alice.password)
      dirs.push(machine.home)
      const login = await runCli(
        ['login', product.url, '--token-stdin'],
        machine.env,
        created.stdout,
      )
      assert.equal(login.code, 0, login.stderr)
      const host = startHost(machine, 'build-box')
      await host.waitFor(/^Host build-box is connected/m)

      const listed = await alice.omni(['tokens', '--json'])
      const token = (
        JSON.parse(listed.stdout) as { id: string; name: string }[]
      ).find((entry) => entry.name === 'box')
      assert.ok(token, listed.stdout)
      const revoked = await alice.omni(['tokens', 'revoke', token.id])
      assert.equal(revoked.code, 0, revoked.stderr)
      const started = Date.now()

      assert.equal(await host.exited, 3, host.output())
      assert.ok(Date.now() - started < 5000, 'the host took too long to stop')
      assert.match(host.output().trimEnd().split('\n').at(-1) ?? '', /revoked/)
      assert.ok(!host.output().includes(created.stdout.trim()))
    },
  )

  // Regression: the stream ended with "omni: signed out Run: …", worded
  // unlike every other command's "The credential was revoked. Run: …".
  test(
    'omni show --follow with a revoked access token ends (exit 3) in the words every command uses',
    { timeout: 30_000 },
    async () => {
      const created = await alice.omni(['tokens', 'create', '--name', 'eyes'])
      assert.equal(created.code, 0, created.stderr)
      const machine = new Person(product.url, alice.email, alice.password)
      dirs.push(machine.home)
      const login = await runCli(
        ['login', product.url, '--token-stdin'],
        machine.env,
        created.stdout,
      )
      assert.equal(login.code, 0, login.stderr)
      const session = await alice.omni(['new', '--host', 'laptop'])
      assert.equal(session.code, 0, session.stderr)
      const id = session.stdout.trim()

      const follow = startProcess(['show', id, '--follow'], machine.env)
      procs.push(follow)
      await follow.waitFor(/^# /m)
      // An answer that arrives while following proves the stream is open.
      model.push({ content: 'Watching.' })
      const sent = await alice.omni(['send', id, 'Hi.'])
      assert.equal(sent.code, 0, sent.stderr)
      await follow.waitFor(/^agent: Watching\.$/m)
      const listed = await alice.omni(['tokens', '--json'])
      const token = (
        JSON.parse(listed.stdout) as { id: string; name: string }[]
      ).find((entry) => entry.name === 'eyes')
      assert.ok(token, listed.stdout)
      const revoked = await alice.omni(['tokens', 'revoke', token.id])
      assert.equal(revoked.code, 0, revoked.stderr)

      assert.equal(await follow.exited, 3, follow.output())
      assert.equal(
        follow.output().trimEnd().split('\n').at(-1),
        `omni: The credential was revoked. Run: omni login ${product.url} --token-stdin`,
      )
    },
  )
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
