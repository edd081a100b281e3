import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runCli } from './cli-run.test-support.ts'
import {
  startFakeWorkspace,
  type FakeWorkspace,
} from './fake-workspace.test-support.ts'

const freshHome = () => mkdtempSync(join(tmpdir(), 'omni-login-options-'))

const savedProfiles = (home: string) =>
  JSON.parse(readFileSync(join(home, 'credentials.json'), 'utf8')).profiles

describe('omni login without a browser, and with a personal token', () => {
  let workspace: FakeWorkspace

  before(async () => {
    workspace = await startFakeWorkspace()
  })
  after(() => workspace.close())

  it('switches to the device flow when there is no display and no BROWSER', async () => {
    const home = freshHome()

    // No DISPLAY, WAYLAND_DISPLAY or BROWSER, as over SSH.
    const result = await runCli(['login', workspace.url], {
      OMNI_HOME: home,
      BROWSER: '',
    })

    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stderr,
      'No browser found on this machine; switching to sign-in with a code (--device).\n' +
        `To sign in, visit:\n${workspace.issuer}/device/verify\n` +
        'and enter the code: WDJB-MJHT\n',
    )
    assert.equal(savedProfiles(home).default.email, 'alice@example.com')
  })

  it('switches to the device flow when the browser command fails', async () => {
    const home = freshHome()

    const result = await runCli(['login', workspace.url], {
      OMNI_HOME: home,
      BROWSER: 'false',
    })

    assert.equal(result.code, 0, result.stderr)
    assert.match(
      result.stderr,
      /\nThe browser did not start; switching to sign-in with a code \(--device\)\.\nTo sign in, visit:\n/,
    )
    assert.equal(savedProfiles(home).default.email, 'alice@example.com')
  })

  it('saves a profile from a personal access token on stdin, without a refresh token', async () => {
    const home = freshHome()
    workspace.acceptAccessToken('omni_pat_fromstdin')

    const result = await runCli(
      ['login', `${workspace.url}/`, '--token-stdin', '--profile', 'ci'],
      { OMNI_HOME: home },
      'omni_pat_fromstdin\n',
    )

    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      `Signed in to ${workspace.url} as alice@example.com.\n`,
    )
    assert.equal(result.stderr, '')
    assert.deepEqual(savedProfiles(home).ci, {
      workspaceUrl: workspace.url,
      issuer: workspace.issuer,
      clientId: 'omnigent-cli',
      accessToken: 'omni_pat_fromstdin',
      email: 'alice@example.com',
      kind: 'personal-token',
    })
  })

  it('refuses a personal token the server does not accept, saving nothing', async () => {
    const home = freshHome()

    const result = await runCli(
      ['login', workspace.url, '--token-stdin'],
      { OMNI_HOME: home },
      'omni_pat_unknown\n',
    )

    assert.equal(result.code, 3)
    assert.equal(result.stderr, 'omni: Sign in to continue.\n')
    assert.doesNotMatch(result.stdout + result.stderr, /omni_pat_unknown/)
    assert.equal(existsSync(join(home, 'credentials.json')), false)
  })

  it('asks for a token when stdin is empty', async () => {
    const result = await runCli(['login', workspace.url, '--token-stdin'], {
      OMNI_HOME: freshHome(),
    })

    assert.equal(result.code, 2)
    assert.equal(result.stderr, 'omni: No token on stdin.\n')
  })
})

describe('omni tokens', () => {
  let workspace: FakeWorkspace
  let home: string

  before(async () => {
    workspace = await startFakeWorkspace()
    home = freshHome()
    workspace.acceptAccessToken('omni_pat_signedin')
    const login = await runCli(
      ['login', workspace.url, '--token-stdin'],
      { OMNI_HOME: home },
      'omni_pat_signedin',
    )
    assert.equal(login.code, 0, login.stderr)
  })
  after(() => workspace.close())

  it('prints a new token alone on stdout and says once, on stderr, that it is shown once', async () => {
    workspace.routes.set('POST /api/tokens', [
      201,
      {
        id: 'tok_1',
        name: 'ci',
        token: 'omni_pat_new',
        expiresAt: '2026-02-01T00:00:00.000Z',
      },
    ])

    const result = await runCli(
      ['tokens', 'create', '--name', 'ci', '--expires', '7'],
      { OMNI_HOME: home },
    )

    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'omni_pat_new\n')
    assert.equal(
      result.stderr,
      'Created token tok_1 "ci", expiring 2026-02-01T00:00:00.000Z. ' +
        'This is the only time it is shown; store it now.\n',
    )
    assert.deepEqual(workspace.received.get('POST /api/tokens'), {
      name: 'ci',
      expiresInDays: 7,
    })
  })

  it('lists tokens as a table and as JSON, never with a secret', async () => {
    const list = [
      {
        id: 'tok_1',
        name: 'ci',
        createdAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2026-02-01T00:00:00.000Z',
        lastUsedAt: null,
      },
    ]
    workspace.routes.set('GET /api/tokens', [200, list])

    const table = await runCli(['tokens'], { OMNI_HOME: home })
    const json = await runCli(['tokens', '--json'], { OMNI_HOME: home })

    assert.equal(table.code, 0, table.stderr)
    assert.equal(
      table.stdout,
      'ID     NAME  CREATED                   EXPIRES                   LAST USED\n' +
        'tok_1  ci    2026-01-01T00:00:00.000Z  2026-02-01T00:00:00.000Z  -\n',
    )
    assert.deepEqual(JSON.parse(json.stdout), list)
  })

  it('revokes a token by id', async () => {
    workspace.routes.set('DELETE /api/tokens/tok_1', [204, null])

    const result = await runCli(['tokens', 'revoke', 'tok_1'], {
      OMNI_HOME: home,
    })

    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'Revoked token tok_1.\n')
  })

  it('names --token-stdin in the hint when a personal token stops working', async () => {
    workspace.routes.delete('GET /api/tokens')
    const other = freshHome()
    workspace.acceptAccessToken('omni_pat_soon_gone')
    await runCli(
      ['login', workspace.url, '--token-stdin'],
      { OMNI_HOME: other },
      'omni_pat_soon_gone',
    )
    workspace.forgetAccessToken('omni_pat_soon_gone')

    const result = await runCli(['tokens'], { OMNI_HOME: other })

    assert.equal(result.code, 3)
    assert.equal(
      result.stderr,
      `omni: Sign in to continue. Run: omni login ${workspace.url} --token-stdin\n`,
    )
  })
})
