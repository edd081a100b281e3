// The whole Omnigent journey with real processes: the server on its built-in
// workspace, `omni` commands, a host daemon, and a scripted model server that
// speaks the Chat Completions protocol. Only the model vendor is replaced.

import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  storageBackends,
  type TestPlace,
} from '../../src/storage/test-backends.ts'
import { startScriptedModelServer } from '../support/scripted-model-server.ts'
import { tempDir } from '../support/processes.ts'
import {
  Person,
  startProduct,
  turnEnded,
  type RunningProduct,
} from '../support/product.ts'

const modelKey = 'sk-test-journey-key-0123456789'

for (const backend of storageBackends()) {
  describe(`the Omnigent journey on the built-in workspace, ${backend.name}`, () => {
    let place: TestPlace
    let product: RunningProduct
    let model: Awaited<ReturnType<typeof startScriptedModelServer>>
    let alice: Person
    let bob: Person
    let carol: Person
    let dave: Person
    let aliceHost: ReturnType<Person['startHost']>
    let workDir: string
    let sessionId: string

    before(async () => {
      model = await startScriptedModelServer({ apiKey: modelKey, script: [] })
      place = await backend.place()
      product = await startProduct(
        'databaseUrl' in place.options ? place.options : {},
      )
      alice = new Person(product.url, 'Alice@Example.com', 'alice-password-1')
      bob = new Person(product.url, 'bob@example.com', 'bob-password-12')
      carol = new Person(product.url, 'carol@example.com', 'carol-password-1')
      dave = new Person(product.url, 'dave@example.com', 'dave-password-12')
      workDir = tempDir('work')
    })

    after(async () => {
      await aliceHost?.stop()
      await product?.stop()
      await model?.close()
      await place?.cleanup()
    })

    test('the first admin is set up once, from this machine', async () => {
      const setup = await alice.omni(
        ['users', 'add', alice.email, '--admin', '--workspace', product.url],
        { OMNI_PASSWORD: alice.password },
      )
      assert.equal(setup.code, 0, setup.stderr)

      const again = await fetch(`${product.url}/api/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'mallory@example.com',
          password: 'x'.repeat(12),
        }),
      })
      assert.equal(again.status, 403)
      assert.equal((await again.json()).error.code, 'setup_closed')
    })

    test('alice signs in with omni login and adds members', async () => {
      await alice.login()
      const whoami = await alice.omni(['whoami'])
      assert.equal(whoami.code, 0, whoami.stderr)
      assert.match(whoami.stdout, /alice@example\.com/)

      for (const person of [bob, carol]) {
        const added = await alice.omni(['users', 'add', person.email], {
          OMNI_PASSWORD: person.password,
        })
        assert.equal(added.code, 0, added.stderr)
      }
      const admin = await alice.omni(['users', 'add', dave.email, '--admin'], {
        OMNI_PASSWORD: dave.password,
      })
      assert.equal(admin.code, 0, admin.stderr)
    })

    test('everyone signs in on the web through the OIDC flow', async () => {
      for (const person of [alice, bob, carol, dave]) {
        await person.signInWeb()
        const me = await person.api('GET', '/api/me')
        assert.equal(me.status, 200)
        assert.equal(me.body.email, person.email.toLowerCase())
      }
      assert.equal((await alice.api('GET', '/api/me')).body.isAdmin, true)
      assert.equal((await bob.api('GET', '/api/me')).body.isAdmin, false)
    })

    test('while Omnigent is off, bob is told so and alice turns it on', async () => {
      const refused = await bob.api('GET', '/api/sessions')
      assert.equal(refused.status, 403)
      assert.equal(refused.body.error.code, 'not_enabled')
      assert.equal(
        refused.body.error.message,
        'Omnigent is not enabled for this workspace; ask a workspace admin.',
      )
      const cli = await bob.omni([
        'admin',
        'status',
        '--workspace',
        product.url,
      ])
      assert.notEqual(cli.code, 0)

      const bobToggles = await bob.api('POST', '/api/admin/enablement', {
        enabled: true,
      })
      assert.equal(bobToggles.status, 403)
      assert.equal(bobToggles.body.error.code, 'admin_only')

      const enabled = await alice.omni(['admin', 'enable'])
      assert.equal(enabled.code, 0, enabled.stderr)
      assert.equal((await bob.api('GET', '/api/sessions')).status, 200)
    })

    test('alice registers her host and bob cannot take its id', async () => {
      aliceHost = alice.startHost({
        OMNI_MODEL_BASE_URL: model.baseUrl,
        OMNI_MODEL: 'scripted',
        OMNI_MODEL_API_KEY: modelKey,
      })
      await aliceHost.waitFor(/connected/i)
      const hostFile = JSON.parse(
        readFileSync(join(alice.home, 'host.json'), 'utf8'),
      )

      await bob.login()
      bob.presentHostId(hostFile.id)
      const stolen = bob.startHost()
      const code = await stolen.exited
      assert.equal(code, 5, stolen.output())
      assert.match(stolen.output(), /registered to another user/)

      const hosts = await alice.api('GET', '/api/hosts')
      assert.deepEqual(
        hosts.body.map((host: { name: string; online: boolean }) => [
          host.name,
          host.online,
        ]),
        [['laptop', true]],
      )
      assert.deepEqual((await bob.api('GET', '/api/hosts')).body, [])
    })

    test("alice's agent runs a real command and writes a file on the host", async () => {
      const created = await alice.omni([
        'new',
        '--host',
        'laptop',
        '--dir',
        workDir,
        '--title',
        'Journey',
      ])
      assert.equal(created.code, 0, created.stderr)
      sessionId = /s_[a-z0-9]+/.exec(created.stdout)?.[0] ?? ''
      assert.ok(sessionId, created.stdout)

      model.push(
        {
          toolCalls: [
            {
              name: 'run_command',
              arguments: {
                command: 'echo from-the-agent > proof.txt && cat proof.txt',
              },
            },
          ],
        },
        {
          toolCalls: [
            {
              name: 'write_file',
              arguments: {
                path: 'notes.md',
                content: '# written by the agent\n',
              },
            },
          ],
        },
        { content: 'Done: proof.txt and notes.md are written.' },
      )
      const sent = await alice.omni([
        'send',
        sessionId,
        'Please write the proof file.',
      ])
      assert.equal(sent.code, 0, sent.stderr)
      assert.match(sent.stdout, /Done: proof\.txt and notes\.md are written\./)

      assert.equal(
        readFileSync(join(workDir, 'proof.txt'), 'utf8'),
        'from-the-agent\n',
      )
      assert.equal(
        readFileSync(join(workDir, 'notes.md'), 'utf8'),
        '# written by the agent\n',
      )
      const toolResult = model.requests.at(-1)
      assert.match(JSON.stringify(toolResult), /from-the-agent/)
    })

    test('bob with Read follows live and is refused when sending', async () => {
      const shared = await alice.omni(['share', sessionId, bob.email, '--read'])
      assert.equal(shared.code, 0, shared.stderr)

      const follower = bob.follow(sessionId)
      await follower.opened
      await follower.waitFor((events) =>
        events.some((e) => e.kind === 'turn.end'),
      )

      model.push(
        {
          delayMs: 300,
          toolCalls: [
            { name: 'run_command', arguments: { command: 'echo live-output' } },
          ],
        },
        { delayMs: 300, content: 'Second answer.' },
      )
      const sent = await alice.api(
        'POST',
        `/api/sessions/${sessionId}/messages`,
        {
          text: 'Say something live.',
        },
      )
      assert.equal(sent.status, 202)

      // The tool result reaches bob while the turn is still running.
      await follower.waitFor((events) =>
        events.some(
          (e) => e.kind === 'tool.result' && e.output.includes('live-output'),
        ),
      )
      const stored = await alice.api('GET', `/api/sessions/${sessionId}/events`)
      const live = follower.events.find(
        (e) => e.kind === 'tool.result' && e.output.includes('live-output'),
      )
      assert.ok(stored.body.some((e: { seq: number }) => e.seq === live?.seq))
      await follower.waitFor(turnEnded(sent.body.turnId))

      const refused = await bob.api(
        'POST',
        `/api/sessions/${sessionId}/messages`,
        {
          text: 'Can I?',
        },
      )
      assert.equal(refused.status, 403)
      assert.deepEqual(refused.body.error, {
        code: 'needs_edit',
        message: 'This needs Edit access.',
      })
      const cliRefused = await bob.omni(['send', sessionId, 'Can I?'])
      assert.notEqual(cliRefused.code, 0)
      assert.match(cliRefused.stderr, /needs Edit access/)
      follower.close()
    })

    test('bob with Edit sends, and each turn shows its author', async () => {
      const raised = await alice.omni([
        'share',
        sessionId,
        bob.email,
        '--edit',
        '--yes',
      ])
      assert.equal(raised.code, 0, raised.stderr)
      assert.match(raised.stdout + raised.stderr, /Grant Edit carefully/)

      model.push({ content: 'Hello bob.' })
      const sent = await bob.omni(['send', sessionId, 'Hi, this is bob.'])
      assert.equal(sent.code, 0, sent.stderr)
      assert.match(sent.stdout, /Hello bob\./)

      const events = (await bob.api('GET', `/api/sessions/${sessionId}/events`))
        .body
      const messages = events.filter(
        (e: { kind: string }) => e.kind === 'message',
      )
      assert.deepEqual(
        messages.map((e: { author: string; text: string }) => [
          e.author,
          e.text,
        ]),
        [
          ['alice@example.com', 'Please write the proof file.'],
          ['alice@example.com', 'Say something live.'],
          ['bob@example.com', 'Hi, this is bob.'],
        ],
      )
      const agentEvents = events.filter(
        (e: { kind: string }) => e.kind !== 'message',
      )
      assert.ok(
        agentEvents.every((e: { author: string | null }) => e.author === null),
      )
    })

    test('carol and an admin with no grant get 404', async () => {
      for (const person of [carol, dave]) {
        const detail = await person.api('GET', `/api/sessions/${sessionId}`)
        assert.equal(detail.status, 404)
        assert.equal(detail.body.error.code, 'not_found')
        const send = await person.api(
          'POST',
          `/api/sessions/${sessionId}/messages`,
          { text: 'hi' },
        )
        assert.equal(send.status, 404)
        const follower = person.follow(sessionId)
        await assert.rejects(follower.opened)
        assert.equal(follower.refusedStatus, 404)
        const listed = await person.api('GET', '/api/sessions?scope=all')
        assert.deepEqual(listed.body, [])
      }
    })

    test('a follower that drops mid-turn resumes with no gap and no duplicate', async () => {
      const before = (
        await alice.api('GET', `/api/sessions/${sessionId}/events`)
      ).body
      const start = before.at(-1).seq

      model.push(
        {
          delayMs: 200,
          toolCalls: [
            { name: 'run_command', arguments: { command: 'echo one' } },
          ],
        },
        {
          delayMs: 400,
          toolCalls: [
            { name: 'run_command', arguments: { command: 'echo two' } },
          ],
        },
        {
          delayMs: 400,
          toolCalls: [
            { name: 'run_command', arguments: { command: 'echo three' } },
          ],
        },
        { delayMs: 200, content: 'Counted to three.' },
      )
      const first = bob.follow(sessionId, start)
      await first.opened
      const sent = await bob.api(
        'POST',
        `/api/sessions/${sessionId}/messages`,
        { text: 'Count.' },
      )
      assert.equal(sent.status, 202)

      await first.waitFor((events) =>
        events.some((e) => e.kind === 'tool.result'),
      )
      first.socket.terminate()
      const seen = first.events.map((e) => e.seq)

      const second = bob.follow(sessionId, first.lastSeq)
      await second.opened
      await second.waitFor(turnEnded(sent.body.turnId))
      second.close()

      const all = [...seen, ...second.events.map((e) => e.seq)]
      const expected = Array.from(
        { length: all.length },
        (_, i) => start + 1 + i,
      )
      assert.deepEqual(all, expected)
      const stored = (
        await alice.api(
          'GET',
          `/api/sessions/${sessionId}/events?after=${start}`,
        )
      ).body
      assert.deepEqual(
        stored.map((e: { seq: number }) => e.seq),
        expected,
      )
      assert.ok(existsSync(workDir))
    })

    test('bob leaves with omni leave; the owner cannot, and then neither can bob', async () => {
      const owner = await alice.omni(['leave', sessionId])
      assert.deepEqual(
        [owner.code, owner.stderr],
        [2, 'omni: The owner cannot leave.\n'],
      )

      const left = await bob.omni(['leave', sessionId])
      assert.deepEqual(
        [left.code, left.stdout, left.stderr],
        [0, `You left ${sessionId}; you no longer have access to it.\n`, ''],
      )
      const detail = await bob.api('GET', `/api/sessions/${sessionId}`)
      assert.equal(detail.status, 404)

      const again = await bob.omni(['leave', sessionId])
      assert.deepEqual([again.code, again.stderr], [4, 'omni: Not found.\n'])
    })
  })
}
