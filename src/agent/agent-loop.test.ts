import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'

import {
  startScriptedModelServer,
  type ChatRequestBody,
  type ScriptStep,
} from '../../test/support/scripted-model-server.ts'
import type { AgentEvent } from '../protocol/session-events.ts'
import { runAgentTurn, type AgentTurnOptions } from './agent-loop.ts'

const apiKey = 'sk-test-agent-loop-key-0123456789'
let dir: string

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omni-agent-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function runTurn(
  script: ScriptStep[],
  overrides: Partial<AgentTurnOptions> & { key?: string } = {},
) {
  const server = await startScriptedModelServer({ apiKey, script })
  const events: AgentEvent[] = []
  try {
    const result = await runAgentTurn({
      model: {
        baseUrl: server.baseUrl,
        model: 'scripted',
        apiKey: overrides.key ?? apiKey,
      },
      dir,
      history: [],
      message: { text: 'Do the thing', author: 'ada@example.com' },
      signal: new AbortController().signal,
      onEvent: (event) => void events.push(event),
      ...overrides,
    })
    return { result, events, requests: server.requests }
  } finally {
    await server.close()
  }
}

function lastToolOutput(request: ChatRequestBody): unknown {
  return request.messages.at(-1)?.content
}

describe('runAgentTurn', () => {
  it('runs the tools the model calls, reports each step in order and feeds results back', async () => {
    const { result, events, requests } = await runTurn([
      {
        toolCalls: [
          {
            name: 'run_command',
            arguments: { command: 'echo hi > out.txt && cat out.txt' },
          },
        ],
      },
      {
        toolCalls: [
          {
            name: 'write_file',
            arguments: { path: 'notes/a.txt', content: 'hello' },
          },
        ],
      },
      (request) => ({ content: `Done after: ${lastToolOutput(request)}` }),
    ])

    assert.deepEqual(result, { status: 'completed' })
    assert.deepEqual(
      events.map((event) => event.kind),
      [
        'tool.call',
        'tool.result',
        'tool.call',
        'tool.result',
        'assistant.text',
      ],
    )
    assert.deepEqual(events[0], {
      kind: 'tool.call',
      callId: 'call_1_0',
      tool: 'run_command',
      args: { command: 'echo hi > out.txt && cat out.txt' },
    })
    assert.deepEqual(events[1], {
      kind: 'tool.result',
      callId: 'call_1_0',
      output: 'hi\n[exit code 0]',
      isError: false,
    })
    assert.equal(await readFile(join(dir, 'out.txt'), 'utf8'), 'hi\n')
    assert.equal(await readFile(join(dir, 'notes/a.txt'), 'utf8'), 'hello')

    const second = requests[1]?.body
    assert.equal(second?.messages.at(-1)?.role, 'tool')
    assert.equal(second?.messages.at(-1)?.tool_call_id, 'call_1_0')
    assert.equal(lastToolOutput(second!), 'hi\n[exit code 0]')
    const writeResult = `Wrote 5 bytes to ${join(dir, 'notes/a.txt')}.`
    assert.deepEqual(events[4], {
      kind: 'assistant.text',
      text: `Done after: ${writeResult}`,
    })
  })

  it('tells the model who wrote the message, where it works and what came before', async () => {
    const { requests } = await runTurn([{ content: 'ok' }], {
      history: [
        { role: 'user', text: 'earlier question', author: 'bo@example.com' },
        { role: 'assistant', text: 'earlier answer' },
      ],
    })

    const body = requests[0]?.body
    assert.equal(body?.model, 'scripted')
    assert.deepEqual(
      body?.messages.map((m) => m.role),
      ['system', 'user', 'assistant', 'user'],
    )
    assert.match(
      String(body?.messages[0]?.content),
      new RegExp(`working in the directory ${dir}`),
    )
    assert.match(
      String(body?.messages[1]?.content),
      /bo@example\.com:\n\nearlier question/,
    )
    assert.match(
      String(body?.messages[3]?.content),
      /ada@example\.com:\n\nDo the thing/,
    )
    assert.deepEqual(
      body?.tools?.map((tool) => tool.function.name),
      [
        'run_command',
        'read_file',
        'write_file',
        'edit_file',
        'list_files',
        'search_files',
      ],
    )
  })

  it('gives a failing tool an error result and lets the model carry on', async () => {
    const { result, events } = await runTurn([
      {
        toolCalls: [
          { name: 'read_file', arguments: { path: 'missing.txt' } },
          { name: 'no_such_tool', arguments: {} },
          { name: 'run_command', arguments: { command: 'exit 3' } },
        ],
      },
      { content: 'I could not read it.' },
    ])

    assert.equal(result.status, 'completed')
    const results = events.filter((event) => event.kind === 'tool.result')
    assert.equal(results.length, 3)
    assert.ok(results.every((event) => event.isError))
    assert.match(results[0]!.output, /^read_file failed: ENOENT/)
    assert.equal(results[1]!.output, 'There is no tool named "no_such_tool".')
    assert.equal(results[2]!.output, '[exit code 3]')
  })

  it('truncates long tool output and says so', async () => {
    const { events } = await runTurn([
      {
        toolCalls: [
          {
            name: 'run_command',
            arguments: { command: "head -c 100000 /dev/zero | tr '\\0' a" },
          },
        ],
      },
      { content: 'long' },
    ])

    const output = events.find((event) => event.kind === 'tool.result')
    assert.ok(output?.kind === 'tool.result')
    assert.ok(output.output.length < 17 * 1024)
    assert.match(output.output, /\[… \d+ characters truncated …\]/)
    assert.match(output.output, /\[exit code 0\]$/)
  })

  it('fails with an agent.error that does not hold the key when the endpoint refuses it', async () => {
    const wrongKey = 'sk-wrong-key-that-must-stay-secret'
    const { result, events } = await runTurn([{ content: 'never' }], {
      key: wrongKey,
    })

    const message =
      /^The model endpoint http:\/\/127\.0\.0\.1:\d+\/v1 answered 401: Incorrect API key provided\.$/
    assert.equal(result.status, 'failed')
    assert.match(result.error ?? '', message)
    assert.equal(events.length, 1)
    assert.equal(events[0]?.kind, 'agent.error')
    assert.match((events[0] as { message: string }).message, message)
    assert.ok(!JSON.stringify(events).includes(wrongKey))
    assert.ok(!JSON.stringify(events).includes(apiKey))
  })

  it('fails with an agent.error when the model has no answer left', async () => {
    const { result, events } = await runTurn([])

    const message =
      /answered 500: The scripted model server has no reply left for request 1\.$/
    assert.equal(result.status, 'failed')
    assert.match(result.error ?? '', message)
    assert.deepEqual(
      events.map((event) => event.kind),
      ['agent.error'],
    )
    assert.ok(!JSON.stringify(events).includes(apiKey))
  })

  it('fails when the working directory does not exist', async () => {
    const missing = join(dir, 'nowhere')
    const { result, events, requests } = await runTurn([{ content: 'never' }], {
      dir: missing,
    })

    const message = `The working directory ${missing} does not exist on this host.`
    assert.deepEqual(result, { status: 'failed', error: message })
    assert.deepEqual(events, [{ kind: 'agent.error', message }])
    assert.equal(requests.length, 0)
  })

  it('fails after maxSteps model calls that all ask for more tools', async () => {
    const call = { toolCalls: [{ name: 'list_files', arguments: {} }] }
    const { result, events } = await runTurn([call, call, call], {
      maxSteps: 2,
    })

    const message =
      'The agent stopped after 2 model calls without finishing the turn.'
    assert.deepEqual(result, { status: 'failed', error: message })
    assert.deepEqual(events.at(-1), { kind: 'agent.error', message })
    assert.equal(events.filter((event) => event.kind === 'tool.call').length, 2)
  })

  it('ends interrupted and kills a running command when the turn is aborted', async () => {
    const pidFile = join(dir, 'sleep.pid')
    const controller = new AbortController()
    const started = Date.now()

    const { result, events } = await runTurn(
      [
        {
          toolCalls: [
            {
              name: 'run_command',
              arguments: { command: `sleep 30 & echo $! > ${pidFile}; wait` },
            },
          ],
        },
      ],
      {
        signal: controller.signal,
        onEvent: async (event) => {
          if (event.kind === 'tool.call')
            void abortOncePidWritten(pidFile, controller)
        },
      },
    )

    assert.deepEqual(result, { status: 'interrupted' })
    assert.ok(Date.now() - started < 5000)
    const pid = Number(await readFile(pidFile, 'utf8'))
    assert.equal(await isRunning(pid), false)
    assert.deepEqual(events, [])
  })

  it('ends interrupted while it waits for the model', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const started = Date.now()

    const { result, events } = await runTurn(
      [{ content: 'late', delayMs: 10_000 }],
      {
        signal: controller.signal,
      },
    )

    assert.deepEqual(result, { status: 'interrupted' })
    assert.deepEqual(events, [])
    assert.ok(Date.now() - started < 3000)
  })
})

/** Killed orphans stay zombies until the container's init reaps them, so
 * "still running" means alive and not a zombie. */
async function isRunning(pid: number): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, 50))
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat)
}

async function abortOncePidWritten(
  pidFile: string,
  controller: AbortController,
) {
  while (!existsSync(pidFile) || !(await readFile(pidFile, 'utf8')).trim()) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  controller.abort()
}
