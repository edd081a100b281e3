import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { WebSocket } from 'ws'
import { editWarning } from '../protocol/api.ts'
import type { EventBody, SessionEvent } from '../protocol/session-events.ts'
import { runCli, startCli } from './cli-run.test-support.ts'
import { saveProfile } from './credentials-store.ts'
import {
  startFakeWorkspace,
  type FakeWorkspace,
} from './fake-workspace.test-support.ts'

function event(
  seq: number,
  turnId: string | null,
  body: EventBody,
  author: string | null = null,
): SessionEvent {
  return {
    ...body,
    seq,
    sessionId: 'ses_1',
    turnId,
    author,
    at: '2025-01-01T00:00:00.000Z',
  } as SessionEvent
}

const push = (socket: WebSocket, e: SessionEvent) =>
  socket.send(JSON.stringify({ type: 'event', event: e }))

const sessionDetail = {
  id: 'ses_1',
  title: 'Fix the build',
  owner: 'alice@example.com',
  host: 'laptop',
  dir: '/src/app',
  level: 'owner',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  hostOnline: true,
  busy: false,
  collaborators: [],
}

describe('omni send and omni show', () => {
  let workspace: FakeWorkspace
  let env: Record<string, string>

  before(async () => {
    workspace = await startFakeWorkspace()
    const home = mkdtempSync(join(tmpdir(), 'omni-send-'))
    workspace.acceptAccessToken('token-alice')
    saveProfile(home, 'default', {
      workspaceUrl: workspace.url,
      issuer: workspace.issuer,
      clientId: 'omnigent-cli',
      accessToken: 'token-alice',
      email: 'alice@example.com',
    })
    env = { OMNI_HOME: home }
  })
  after(() => workspace.close())

  it("prints the agent's answer when its turn completes", async () => {
    workspace.routes.set('POST /api/sessions/ses_1/messages', [
      202,
      { turnId: 'turn_2', seq: 5 },
    ])
    let followUrl: URL | undefined
    workspace.follow = (socket, url) => {
      followUrl = url
      push(
        socket,
        event(
          5,
          'turn_2',
          { kind: 'message', text: 'hi' },
          'alice@example.com',
        ),
      )
      push(
        socket,
        event(6, 'turn_2', { kind: 'assistant.text', text: 'Looking.' }),
      )
      push(
        socket,
        event(7, 'turn_other', { kind: 'assistant.text', text: 'not mine' }),
      )
      push(
        socket,
        event(8, 'turn_2', { kind: 'assistant.text', text: 'All green.' }),
      )
      push(
        socket,
        event(9, 'turn_2', { kind: 'turn.end', status: 'completed' }),
      )
    }

    const result = await runCli(['send', 'ses_1', 'run the tests'], env)

    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'Looking.\nAll green.\n')
    assert.equal(followUrl?.searchParams.get('after'), '4')
    assert.deepEqual(
      workspace.received.get('POST /api/sessions/ses_1/messages'),
      {
        text: 'run the tests',
      },
    )
  })

  it('exits 1 with the error when the turn fails', async () => {
    workspace.routes.set('POST /api/sessions/ses_1/messages', [
      202,
      { turnId: 'turn_3', seq: 10 },
    ])
    workspace.follow = (socket) => {
      push(
        socket,
        event(11, 'turn_3', {
          kind: 'turn.end',
          status: 'failed',
          error: 'model unreachable',
        }),
      )
    }

    const result = await runCli(['send', 'ses_1', 'again'], env)

    assert.equal(result.code, 1)
    assert.equal(result.stderr, 'omni: The turn failed: model unreachable\n')
  })

  it('says the turn was interrupted when it was (exit 1)', async () => {
    workspace.routes.set('POST /api/sessions/ses_1/messages', [
      202,
      { turnId: 'turn_4', seq: 12 },
    ])
    workspace.follow = (socket) => {
      push(
        socket,
        event(13, 'turn_4', { kind: 'turn.end', status: 'interrupted' }),
      )
    }

    const result = await runCli(['send', 'ses_1', 'again'], env)

    assert.equal(result.code, 1)
    assert.equal(result.stderr, 'omni: The turn was interrupted.\n')
  })

  it("ends a request the server finds invalid as a usage error (exit 2) with the server's sentence", async () => {
    const message = 'The title is longer than 200 characters.'
    workspace.routes.set('PATCH /api/sessions/ses_1', [
      400,
      { error: { code: 'invalid_input', message } },
    ])

    const result = await runCli(['rename', 'ses_1', 'T'.repeat(300)], env)

    assert.equal(result.code, 2)
    assert.equal(result.stderr, `omni: ${message}\n`)
  })

  it('passes on the refusal of a reader who may not send (exit 4)', async () => {
    workspace.routes.set('POST /api/sessions/ses_1/messages', [
      403,
      { error: { code: 'needs_edit', message: 'This needs Edit access.' } },
    ])

    const result = await runCli(['send', 'ses_1', 'hello'], env)

    assert.equal(result.code, 4)
    assert.equal(result.stderr, 'omni: This needs Edit access.\n')
  })

  it('shows the Edit warning and grants Edit when stdin is not a terminal', async () => {
    workspace.routes.set('PUT /api/sessions/ses_1/grants', [200, {}])

    const result = await runCli(
      ['share', 'ses_1', 'Bob@Example.com', '--edit'],
      env,
    )

    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, `${editWarning}\n`)
    assert.equal(result.stdout, 'Shared ses_1 with bob@example.com (edit).\n')
    assert.deepEqual(workspace.received.get('PUT /api/sessions/ses_1/grants'), {
      email: 'bob@example.com',
      level: 'edit',
    })
  })

  it('leaves a session shared with you in one line', async () => {
    workspace.routes.set('POST /api/sessions/ses_1/leave', [204, null])

    const result = await runCli(['leave', 'ses_1'], env)

    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      'You left ses_1; you no longer have access to it.\n',
    )
    assert.equal(workspace.received.has('POST /api/sessions/ses_1/leave'), true)
  })

  it("passes on the server's refusal when the owner tries to leave (exit 2)", async () => {
    const message = 'The owner cannot leave.'
    workspace.routes.set('POST /api/sessions/ses_1/leave', [
      400,
      { error: { code: 'invalid_input', message } },
    ])

    const result = await runCli(['leave', 'ses_1'], env)

    assert.equal(result.code, 2)
    assert.equal(result.stderr, `omni: ${message}\n`)
  })

  it('says not found when leaving a session you cannot see (exit 4)', async () => {
    workspace.routes.delete('POST /api/sessions/ses_1/leave')

    const result = await runCli(['leave', 'ses_1'], env)

    assert.equal(result.code, 4)
    assert.equal(result.stderr, 'omni: Not found.\n')
  })

  it('prints the transcript of a session', async () => {
    workspace.routes.set('GET /api/sessions/ses_1', [200, sessionDetail])
    workspace.routes.set('GET /api/sessions/ses_1/events?after=0', [
      200,
      [
        event(
          1,
          't1',
          { kind: 'message', text: 'list files' },
          'bob@example.com',
        ),
        event(2, 't1', {
          kind: 'tool.call',
          callId: 'c',
          tool: 'run_command',
          args: { command: 'ls' },
        }),
        event(3, 't1', {
          kind: 'tool.result',
          callId: 'c',
          output: 'a.ts\nb.ts\n',
          isError: false,
        }),
      ],
    ])
    workspace.routes.set('GET /api/sessions/ses_1/events?after=3', [
      200,
      [
        event(4, 't1', { kind: 'assistant.text', text: 'Two files.' }),
        event(5, 't1', { kind: 'turn.end', status: 'completed' }),
      ],
    ])
    workspace.routes.set('GET /api/sessions/ses_1/events?after=5', [200, []])

    const result = await runCli(['show', 'ses_1'], env)

    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      [
        '# Fix the build (alice@example.com on laptop, /src/app)',
        'bob@example.com: list files',
        '  $ run_command(ls)',
        '  → a.ts',
        '    b.ts',
        'agent: Two files.',
        '[turn completed]',
        '',
      ].join('\n'),
    )
  })

  // Regression: `omni show S | head -1` ended with an unhandled
  // `Error: write EPIPE` stack trace and exit 1 once head had read its line.
  it('ends quietly with exit 0 when the reader of its output leaves early', async () => {
    workspace.routes.set('GET /api/sessions/ses_1', [200, sessionDetail])
    workspace.routes.set('GET /api/sessions/ses_1/events?after=0', [
      200,
      [event(1, 't1', { kind: 'message', text: 'hi' }, 'bob@example.com')],
    ])
    workspace.routes.set('GET /api/sessions/ses_1/events?after=1', [200, []])

    const cli = startCli(['show', 'ses_1'], env)
    cli.child.stdout?.destroy()
    const result = await cli.result

    assert.equal(result.stderr, '')
    assert.equal(result.code, 0)
  })

  it('follows new events and ends when access is revoked (exit 4)', async () => {
    workspace.routes.set('GET /api/sessions/ses_1', [200, sessionDetail])
    workspace.routes.set('GET /api/sessions/ses_1/events?after=0', [200, []])
    workspace.follow = (socket) => {
      push(
        socket,
        event(1, 't1', { kind: 'message', text: 'hello' }, 'alice@example.com'),
      )
      setTimeout(
        () => socket.close(4404, 'You no longer have access to this session.'),
        50,
      )
    }

    const result = await runCli(['show', 'ses_1', '--follow'], env)

    assert.equal(result.code, 4)
    assert.equal(
      result.stdout,
      '# Fix the build (alice@example.com on laptop, /src/app)\nalice@example.com: hello\n',
    )
    assert.equal(
      result.stderr,
      'omni: You no longer have access to this session.\n',
    )
  })
})

// Regression: a collaborator's title, message or the agent's output with
// terminal escapes (ESC, BEL, CR, newline) reached the terminal raw and could
// clear it, set its title or fake a transcript line.
describe('text from others reaches the terminal inert', () => {
  let workspace: FakeWorkspace
  let env: Record<string, string>
  const evil = 'evil\x1b]0;pwned\x07\x1b[2J\rRED'
  const evilShown = 'evil\u241b]0;pwned\u2407\u241b[2J\u240dRED'

  before(async () => {
    workspace = await startFakeWorkspace()
    home = mkdtempSync(join(tmpdir(), 'omni-inert-'))
    workspace.acceptAccessToken('token-alice')
    saveProfile(home, 'default', {
      workspaceUrl: workspace.url,
      issuer: workspace.issuer,
      clientId: 'omnigent-cli',
      accessToken: 'token-alice',
      email: 'alice@example.com',
    })
    env = { OMNI_HOME: home }
  })
  let home: string
  after(async () => {
    await workspace.close()
    rmSync(home, { recursive: true, force: true })
  })

  it('omni sessions shows control characters and newlines in a title as visible marks', async () => {
    workspace.routes.set('GET /api/sessions?scope=mine', [
      200,
      [{ ...sessionDetail, title: `${evil}\nfake row` }],
    ])

    const result = await runCli(['sessions'], env)

    assert.equal(result.code, 0, result.stderr)
    assert.doesNotMatch(result.stdout, /[\x1b\x07\r]/)
    assert.equal(result.stdout.split('\n').length, 3)
    assert.ok(result.stdout.includes(`${evilShown}\u240afake row`))
  })

  it('omni show shows escapes inert and indents the lines of a message', async () => {
    workspace.routes.set('GET /api/sessions/ses_1', [
      200,
      { ...sessionDetail, title: evil },
    ])
    workspace.routes.set('GET /api/sessions/ses_1/events?after=0', [
      200,
      [
        event(
          1,
          't1',
          { kind: 'message', text: `hi ${evil}\nagent: all tests pass` },
          'bob@example.com',
        ),
        event(2, 't1', {
          kind: 'tool.result',
          callId: 'c',
          output: `out\x1b[31m\x9b2J`,
          isError: false,
        }),
      ],
    ])
    workspace.routes.set('GET /api/sessions/ses_1/events?after=2', [200, []])

    const result = await runCli(['show', 'ses_1'], env)

    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      [
        `# ${evilShown} (alice@example.com on laptop, /src/app)`,
        `bob@example.com: hi ${evilShown}`,
        '  agent: all tests pass',
        '  → out\u241b[31m\\x9b2J',
        '',
      ].join('\n'),
    )
  })

  it("omni send shows the agent's escapes and the server's error inert", async () => {
    workspace.routes.set('POST /api/sessions/ses_1/messages', [
      202,
      { turnId: 'turn_9', seq: 20 },
    ])
    workspace.follow = (socket) => {
      push(socket, event(21, 'turn_9', { kind: 'assistant.text', text: evil }))
      push(
        socket,
        event(22, 'turn_9', {
          kind: 'turn.end',
          status: 'failed',
          error: `boom\x07\x1b[2J`,
        }),
      )
    }

    const result = await runCli(['send', 'ses_1', 'go'], env)

    assert.equal(result.code, 1)
    assert.equal(result.stdout, `${evilShown}\n`)
    assert.equal(result.stderr, 'omni: The turn failed: boom\u2407\u241b[2J\n')
  })
})
