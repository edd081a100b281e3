import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'

import OpenAI from 'openai'

import {
  startScriptedModelServer,
  type ScriptedModelServer,
} from './scripted-model-server.ts'

const apiKey = 'sk-scripted-server-test-key'
let server: ScriptedModelServer | null = null

afterEach(async () => {
  await server?.close()
  server = null
})

async function start(
  script: Parameters<typeof startScriptedModelServer>[0]['script'],
) {
  server = await startScriptedModelServer({ apiKey, script })
  const client = new OpenAI({ baseURL: server.baseUrl, apiKey, maxRetries: 0 })
  return { server, client }
}

const ask = {
  model: 'scripted',
  messages: [{ role: 'user' as const, content: 'hi' }],
}

describe('startScriptedModelServer', () => {
  it('answers Chat Completions with content and tool calls in OpenAI shape', async () => {
    const { client } = await start([
      {
        content: 'Looking.',
        toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' } }],
      },
      { content: 'Done.' },
    ])

    const first = await client.chat.completions.create(ask)
    const second = await client.chat.completions.create(ask)

    assert.equal(first.choices[0]?.finish_reason, 'tool_calls')
    assert.equal(first.choices[0]?.message.content, 'Looking.')
    assert.deepEqual(first.choices[0]?.message.tool_calls, [
      {
        id: 'call_1_0',
        type: 'function',
        function: { name: 'read_file', arguments: '{"path":"a.txt"}' },
      },
    ])
    assert.equal(second.choices[0]?.finish_reason, 'stop')
    assert.equal(second.choices[0]?.message.content, 'Done.')
    assert.ok((second.usage?.total_tokens ?? 0) > 0)
  })

  it('streams chunks whose deltas add up to the same answer', async () => {
    const { client } = await start([
      {
        content: 'Writing it.',
        toolCalls: [
          { name: 'write_file', arguments: { path: 'b', content: 'x' } },
        ],
      },
    ])

    const stream = client.chat.completions.stream({
      ...ask,
      stream_options: { include_usage: true },
    })
    const completion = await stream.finalChatCompletion()

    const message = completion.choices[0]?.message
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls')
    assert.equal(message?.content, 'Writing it.')
    assert.equal(message?.tool_calls?.[0]?.type, 'function')
    assert.deepEqual(
      message?.tool_calls?.map(
        (call) => call.type === 'function' && call.function,
      ),
      [
        {
          name: 'write_file',
          arguments: '{"path":"b","content":"x"}',
        },
      ],
    )
    assert.ok((completion.usage?.total_tokens ?? 0) > 0)
  })

  it('answers from a function of the request and from steps pushed later', async () => {
    const { server, client } = await start([
      (request) => ({
        content: `You said ${request.messages.at(-1)?.content}`,
      }),
    ])
    server.push({ content: 'pushed' })

    const first = await client.chat.completions.create(ask)
    const second = await client.chat.completions.create(ask)

    assert.equal(first.choices[0]?.message.content, 'You said hi')
    assert.equal(second.choices[0]?.message.content, 'pushed')
    assert.deepEqual(server.requests[0], {
      method: 'POST',
      path: '/v1/chat/completions',
      body: ask,
    })
    assert.ok(!JSON.stringify(server.requests).includes(apiKey))
  })

  it('refuses a wrong key with 401 in OpenAI error shape', async () => {
    const { server } = await start([{ content: 'never' }])
    const client = new OpenAI({
      baseURL: server.baseUrl,
      apiKey: 'sk-wrong',
      maxRetries: 0,
    })

    await assert.rejects(client.chat.completions.create(ask), {
      status: 401,
      type: 'invalid_request_error',
      message: '401 Incorrect API key provided.',
    })
  })

  it('answers 500 with a clear error once the script runs out', async () => {
    const { client } = await start([])

    await assert.rejects(client.chat.completions.create(ask), {
      status: 500,
      message: '500 The scripted model server has no reply left for request 1.',
    })
  })

  it('lists one model', async () => {
    const { client } = await start([])

    const models = await client.models.list()

    assert.deepEqual(
      models.data.map((model) => model.id),
      ['scripted'],
    )
  })
})
