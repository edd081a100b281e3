import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runCli, startCli } from './cli-run.test-support.ts'
import {
  startFakeWorkspace,
  type FakeWorkspace,
} from './fake-workspace.test-support.ts'

describe('omni login and the commands that use its profile', () => {
  let workspace: FakeWorkspace
  let home: string

  before(async () => {
    workspace = await startFakeWorkspace()
    home = join(mkdtempSync(join(tmpdir(), 'omni-login-')), 'home')
  })
  after(() => workspace.close())

  it('signs in through the loopback redirect and saves the profile', async () => {
    const cli = startCli(['login', `${workspace.url}/`, '--profile', 'work'], {
      OMNI_HOME: home,
    })

    // What the end-to-end tests rely on: the URL alone on the line after
    // the "Opening your browser" line, on stderr.
    const urlLine = await cli.stderrLine(/^https?:\/\//)
    const authorize = new URL(urlLine)
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256')
    assert.equal(
      authorize.searchParams.get('scope'),
      'openid email offline_access',
    )
    assert.match(
      authorize.searchParams.get('redirect_uri') ?? '',
      /^http:\/\/127\.0\.0\.1:\d+\/callback$/,
    )

    const redirect = await fetch(authorize, { redirect: 'manual' })
    const page = await fetch(redirect.headers.get('location') ?? '')
    assert.equal(page.status, 200)
    assert.match(await page.text(), /You can close this tab\./)

    const result = await cli.result
    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      `Signed in to ${workspace.url} as alice@example.com.\n`,
    )
    assert.equal(
      result.stderr.split('\n')[0],
      'Opening your browser to sign in. If it does not open, visit:',
    )

    const saved = JSON.parse(
      readFileSync(join(home, 'credentials.json'), 'utf8'),
    )
    const profile = saved.profiles.work
    assert.equal(profile.workspaceUrl, workspace.url)
    assert.equal(profile.issuer, workspace.issuer)
    assert.equal(profile.clientId, 'omnigent-cli')
    assert.equal(profile.email, 'alice@example.com')
    assert.match(profile.refreshToken, /^rt-/)
    assert.deepEqual(workspace.received.get('POST /api/me/sign-ins'), {
      method: 'cli',
    })
    assert.ok(!result.stdout.includes(profile.accessToken))
    assert.ok(!result.stderr.includes(profile.accessToken))
  })

  it('ignores a callback that does not carry the expected state', async () => {
    const cli = startCli(['login', workspace.url, '--profile', 'forged'], {
      OMNI_HOME: home,
    })
    const authorize = new URL(await cli.stderrLine(/^https?:\/\//))
    const callback = new URL(authorize.searchParams.get('redirect_uri') ?? '')
    callback.searchParams.set('code', 'forged')
    callback.searchParams.set('state', 'not-the-state')

    const forged = await fetch(callback)
    assert.equal(forged.status, 400)

    // The real browser round trip still completes the sign-in.
    const redirect = await fetch(authorize, { redirect: 'manual' })
    await fetch(redirect.headers.get('location') ?? '')
    const result = await cli.result
    assert.equal(result.code, 0, result.stderr)
  })

  it('signs in with the device authorization grant', async () => {
    const result = await runCli(
      ['login', workspace.url, '--device', '--profile', 'device'],
      { OMNI_HOME: home },
    )

    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stderr,
      `To sign in, visit:\n${workspace.issuer}/device/verify\n` +
        'and enter the code: WDJB-MJHT\n',
    )
    assert.equal(
      result.stdout,
      `Signed in to ${workspace.url} as alice@example.com.\n`,
    )
    const saved = JSON.parse(
      readFileSync(join(home, 'credentials.json'), 'utf8'),
    )
    assert.equal(saved.profiles.device.email, 'alice@example.com')
    assert.deepEqual(workspace.received.get('POST /api/me/sign-ins'), {
      method: 'device',
    })
  })

  it('prints who is signed in with whoami --json', async () => {
    const result = await runCli(['whoami', '--json', '--profile', 'work'], {
      OMNI_HOME: home,
    })

    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), {
      email: 'alice@example.com',
      isAdmin: false,
      enabled: true,
      workspace: workspace.url,
      profile: 'work',
    })
  })

  it("prints the server's message and exit 4 when Omnigent is not enabled", async () => {
    workspace.routes.set('GET /api/hosts', [
      403,
      {
        error: {
          code: 'not_enabled',
          message:
            'Omnigent is not enabled for this workspace; ask a workspace admin.',
        },
      },
    ])

    const result = await runCli(['hosts', '--profile', 'work'], {
      OMNI_HOME: home,
    })

    assert.equal(result.code, 4)
    assert.equal(
      result.stderr,
      'omni: Omnigent is not enabled for this workspace; ask a workspace admin.\n',
    )
  })

  it('prints the sessions table with id, title, owner, host and level', async () => {
    workspace.routes.set('GET /api/sessions?scope=shared', [
      200,
      [
        {
          id: 'ses_abc',
          title: 'Fix the build',
          owner: 'bob@example.com',
          host: 'laptop',
          dir: '/src',
          level: 'read',
          createdAt: '2025-01-01T00:00:00.000Z',
          updatedAt: '2025-01-01T00:00:00.000Z',
        },
      ],
    ])

    const result = await runCli(['sessions', '--shared', '--profile', 'work'], {
      OMNI_HOME: home,
    })

    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      'ID       TITLE          OWNER            HOST    LEVEL\n' +
        'ses_abc  Fix the build  bob@example.com  laptop  read\n',
    )
  })

  it('adds the first admin through setup with the password from stdin', async () => {
    workspace.status.needsSetup = true
    try {
      const result = await runCli(
        ['users', 'add', 'Root@Example.com', '--workspace', workspace.url],
        { OMNI_HOME: mkdtempSync(join(tmpdir(), 'omni-setup-')) },
        'correct horse battery\n',
      )

      assert.equal(result.code, 0, result.stderr)
      assert.equal(
        result.stdout,
        'Added root@example.com as the first workspace admin.\n',
      )
      assert.deepEqual(workspace.received.get('POST /api/setup'), {
        email: 'root@example.com',
        password: 'correct horse battery',
        admin: true,
      })
      assert.doesNotMatch(result.stdout + result.stderr, /horse/)
    } finally {
      workspace.status.needsSetup = false
    }
  })

  it('adds a user with the password from OMNI_PASSWORD', async () => {
    workspace.routes.set('POST /api/users', [201, {}])

    const result = await runCli(
      ['users', 'add', 'bob@example.com', '--admin', '--profile', 'work'],
      {
        OMNI_HOME: home,
        OMNI_PASSWORD: 'from-the-env',
      },
    )

    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'Added bob@example.com as a workspace admin.\n')
    assert.deepEqual(workspace.received.get('POST /api/users'), {
      email: 'bob@example.com',
      password: 'from-the-env',
      admin: true,
    })
  })

  it('signs out, removing the profile', async () => {
    const result = await runCli(['logout', '--profile', 'work'], {
      OMNI_HOME: home,
    })

    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      `Signed out of ${workspace.url} (profile work).\n`,
    )
    const saved = JSON.parse(
      readFileSync(join(home, 'credentials.json'), 'utf8'),
    )
    assert.equal(saved.profiles.work, undefined)
    assert.ok(workspace.received.has('POST /api/me/sign-outs'))
  })
})
