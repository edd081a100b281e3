// The Omnigent MCP server, driven by the MCP SDK's own client over
// Streamable HTTP, under the same access rules as the HTTP API.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { readProfiles } from '../../src/cli/credentials-store.ts'
import { startScriptedModelServer } from '../support/scripted-model-server.ts'
import { tempDir, type Proc } from '../support/processes.ts'
import {
  Person,
  startProduct,
  type RunningProduct,
} from '../support/product.ts'

const modelKey = 'sk-test-mcp-key-0123456789'

async function mcpClient(url: string, person: Person): Promise<Client> {
  const token = readProfiles(person.home).default?.accessToken
  assert.ok(token, `${person.email} has no saved credentials`)
  const transport = new StreamableHTTPClientTransport(
    new URL(`${url}/api/mcp`),
    {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    },
  )
  const client = new Client({ name: 'omni-test', version: '1.0.0' })
  await client.connect(transport)
  return client
}

async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
) {
  const result = await client.callTool({ name, arguments: args })
  const content = result.content as Array<{ type: string; text: string }>
  const body = JSON.parse(content[0]?.text ?? 'null')
  return { isError: result.isError === true, body }
}

/** Polls the session until it is (or is no longer) running a turn; returns
 * its events. */
async function until(client: Client, sessionId: string, busy: boolean) {
  for (let tries = 0; tries < 200; tries += 1) {
    const { body } = await call(client, 'get_session', {
      session_id: sessionId,
    })
    if (body.session.busy === busy) return body.events as any[]
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`the session never became ${busy ? 'busy' : 'idle'}`)
}

describe('the Omnigent MCP server', () => {
  let product: RunningProduct
  let model: Awaited<ReturnType<typeof startScriptedModelServer>>
  let host: Proc
  let alice: Person
  let bob: Person
  let carol: Person
  let sessionId: string

  before(async () => {
    model = await startScriptedModelServer({ apiKey: modelKey, script: [] })
    product = await startProduct()
    alice = new Person(product.url, 'alice@example.com', 'alice-password-1')
    bob = new Person(product.url, 'bob@example.com', 'bob-password-12')
    carol = new Person(product.url, 'carol@example.com', 'carol-password-1')

    await alice.omni(
      ['users', 'add', alice.email, '--admin', '--workspace', product.url],
      {
        OMNI_PASSWORD: alice.password,
      },
    )
    await alice.login()
    for (const person of [bob, carol]) {
      await alice.omni(['users', 'add', person.email], {
        OMNI_PASSWORD: person.password,
      })
      await person.login()
    }
    await alice.omni(['admin', 'enable'])
    host = alice.startHost({
      OMNI_MODEL_BASE_URL: model.baseUrl,
      OMNI_MODEL: 'scripted',
      OMNI_MODEL_API_KEY: modelKey,
    })
    await host.waitFor(/connected/i)
    const created = await alice.omni([
      'new',
      '--host',
      'laptop',
      '--dir',
      tempDir('mcp-work'),
    ])
    sessionId = /s_[a-z0-9]+/.exec(created.stdout)?.[0] ?? ''
    assert.ok(sessionId, created.stderr)
  })

  after(async () => {
    await host?.stop()
    await product?.stop()
    await model?.close()
  })

  test('lists the tools and the caller’s own sessions', async () => {
    const client = await mcpClient(product.url, alice)
    const { tools } = await client.listTools()
    assert.deepEqual(tools.map((tool) => tool.name).sort(), [
      'get_session',
      'list_sessions',
      'rename_session',
      'send_message',
      'share_session',
      'unshare_session',
    ])
    const listed = await call(client, 'list_sessions', {})
    assert.deepEqual(
      listed.body.map((s: { id: string }) => s.id),
      [sessionId],
    )
    await client.close()
  })

  test('the owner sends a message and gets the agent’s answer', async () => {
    model.push({ content: 'Answer through MCP.' })
    const client = await mcpClient(product.url, alice)
    const sent = await call(client, 'send_message', {
      session_id: sessionId,
      text: 'Hello from an MCP client.',
      wait_seconds: 30,
    })
    assert.equal(sent.isError, false)
    assert.equal(sent.body.status, 'completed')
    assert.equal(sent.body.answer, 'Answer through MCP.')

    const read = await call(client, 'get_session', { session_id: sessionId })
    const message = read.body.events.find(
      (e: { kind: string }) => e.kind === 'message',
    )
    assert.equal(message.author, 'alice@example.com')
    await client.close()
  })

  test('a reader reads but is refused when sending, naming the level', async () => {
    await alice.omni(['share', sessionId, bob.email, '--read'])
    const client = await mcpClient(product.url, bob)

    const read = await call(client, 'get_session', { session_id: sessionId })
    assert.equal(read.isError, false)
    const sent = await call(client, 'send_message', {
      session_id: sessionId,
      text: 'hi',
    })
    assert.deepEqual(sent, {
      isError: true,
      body: {
        error: { code: 'needs_edit', message: 'This needs Edit access.' },
      },
    })
    const shared = await call(client, 'share_session', {
      session_id: sessionId,
      email: 'carol@example.com',
      level: 'edit',
    })
    assert.equal(shared.body.error.code, 'owner_only')
    await client.close()
  })

  test('anyone else is told the session does not exist', async () => {
    const client = await mcpClient(product.url, carol)
    const read = await call(client, 'get_session', { session_id: sessionId })
    assert.deepEqual(read, {
      isError: true,
      body: { error: { code: 'not_found', message: 'Not found.' } },
    })
    assert.deepEqual(
      (await call(client, 'list_sessions', { scope: 'all' })).body,
      [],
    )
    await client.close()
  })

  test('a tool refuses an argument it does not take', async () => {
    const client = await mcpClient(product.url, alice)
    const renamed = await client.callTool({
      name: 'rename_session',
      arguments: {
        session_id: sessionId,
        title: 'Renamed',
        author: 'carol@example.com',
      },
    })
    assert.equal(renamed.isError, true)
    const content = renamed.content as Array<{ text: string }>
    assert.match(content[0]?.text ?? '', /Unrecognized key.*author/)

    const read = await call(client, 'get_session', { session_id: sessionId })
    assert.notEqual(read.body.session.title, 'Renamed')
    await client.close()
  })

  test('a revoked editor waiting for an answer is told the session is gone, and the turn stops', async () => {
    await alice.omni(['share', sessionId, carol.email, '--edit'])
    model.push({ content: 'The secret answer.', delayMs: 3000 })
    const client = await mcpClient(product.url, carol)

    const waiting = call(client, 'send_message', {
      session_id: sessionId,
      text: 'What is in the secret file?',
      wait_seconds: 30,
    })
    const owner = await mcpClient(product.url, alice)
    await until(owner, sessionId, true)
    await alice.omni(['unshare', sessionId, carol.email])

    assert.deepEqual(await waiting, {
      isError: true,
      body: { error: { code: 'not_found', message: 'Not found.' } },
    })
    const events = await until(owner, sessionId, false)
    assert.ok(
      !JSON.stringify(events).includes('The secret answer.'),
      'the turn ran on after its sender lost access',
    )
    assert.equal(events.at(-1)?.status, 'interrupted')
    await owner.close()
    await client.close()
  })

  test('a request without a bearer credential gets 401 with a challenge', async () => {
    const response = await fetch(`${product.url}/api/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    assert.equal(response.status, 401)
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/)
    assert.equal((await response.json()).error.code, 'unauthenticated')
  })
})
