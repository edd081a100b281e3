import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runCli } from './cli-run.test-support.ts'
import { saveProfile, type ProfileRecord } from './credentials-store.ts'
import {
  startFakeWorkspace,
  type FakeWorkspace,
} from './fake-workspace.test-support.ts'

describe('choosing a profile', () => {
  let workspace: FakeWorkspace

  before(async () => {
    workspace = await startFakeWorkspace()
    workspace.acceptAccessToken('token-person')
    workspace.acceptAccessToken('token-robot')
  })
  after(() => workspace.close())

  function record(accessToken: string): ProfileRecord {
    return {
      workspaceUrl: workspace.url,
      issuer: workspace.issuer,
      clientId: 'omnigent-cli',
      accessToken,
      email: 'alice@example.com',
    }
  }

  /** An OMNI_HOME with these profiles, all of the same workspace. */
  function homeWith(profiles: Record<string, string>): string {
    const home = mkdtempSync(join(tmpdir(), 'omni-profiles-'))
    for (const [name, token] of Object.entries(profiles)) {
      saveProfile(home, name, record(token))
    }
    return home
  }

  const profileOf = async (args: string[], env: Record<string, string>) => {
    const result = await runCli(['whoami', '--json', ...args], env)
    assert.equal(result.code, 0, result.stderr)
    return JSON.parse(result.stdout).profile as string
  }

  it('refuses to guess between several profiles without a default, listing them', async () => {
    const home = homeWith({ person: 'token-person', robot: 'token-robot' })

    const result = await runCli(['whoami'], { OMNI_HOME: home })

    assert.equal(result.code, 2)
    assert.equal(result.stdout, '')
    assert.equal(
      result.stderr,
      'omni: Several profiles and none is "default"; pick one with --profile NAME or OMNI_PROFILE: ' +
        `person (alice@example.com at ${workspace.url}), robot (alice@example.com at ${workspace.url}).\n`,
    )
  })

  it('uses --profile, then OMNI_PROFILE, to pick one of several', async () => {
    const home = homeWith({ person: 'token-person', robot: 'token-robot' })

    assert.equal(
      await profileOf(['--profile', 'robot'], { OMNI_HOME: home }),
      'robot',
    )
    assert.equal(
      await profileOf([], { OMNI_HOME: home, OMNI_PROFILE: 'person' }),
      'person',
    )
    assert.equal(
      await profileOf(['--profile', 'robot'], {
        OMNI_HOME: home,
        OMNI_PROFILE: 'person',
      }),
      'robot',
    )
  })

  it('uses the default profile when there are several', async () => {
    const home = homeWith({ default: 'token-person', robot: 'token-robot' })
    assert.equal(await profileOf([], { OMNI_HOME: home }), 'default')
  })

  it('uses the only profile even when it is not called default', async () => {
    const home = homeWith({ robot: 'token-robot' })
    assert.equal(await profileOf([], { OMNI_HOME: home }), 'robot')
  })

  it('keeps two sign-ins to the same workspace apart', async () => {
    const home = homeWith({ person: 'token-person', robot: 'token-robot' })
    const saved = JSON.parse(
      readFileSync(join(home, 'credentials.json'), 'utf8'),
    )

    assert.equal(saved.profiles.person.accessToken, 'token-person')
    assert.equal(saved.profiles.robot.accessToken, 'token-robot')
  })

  it('uses the canonical workspace URL of a record saved in another spelling', async () => {
    const home = homeWith({})
    const spelled =
      workspace.url.replace('http://127.0.0.1', 'HTTP://127.0.0.1') + '/'
    writeFileSync(
      join(home, 'credentials.json'),
      JSON.stringify({
        version: 1,
        profiles: {
          default: { ...record('token-person'), workspaceUrl: spelled },
        },
      }),
    )

    const result = await runCli(['whoami', '--json'], { OMNI_HOME: home })

    assert.equal(result.code, 0, result.stderr)
    assert.equal(JSON.parse(result.stdout).workspace, workspace.url)
  })
})
