import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { CliError } from './cli-error.ts'
import { deviceSignIn } from './device-sign-in.ts'
import {
  startFakeWorkspace,
  type FakeWorkspace,
} from './fake-workspace.test-support.ts'
import { oidcConfiguration } from './oidc-client.ts'

describe('deviceSignIn', () => {
  let workspace: FakeWorkspace
  let sleeps: number[]
  let written: string

  before(async () => {
    workspace = await startFakeWorkspace()
  })
  after(() => workspace.close())
  beforeEach(() => {
    sleeps = []
    written = ''
    workspace.deviceAnswers.length = 0
  })

  // A frozen clock that only the polling's own waits move on.
  async function signIn(timeoutMs = 60 * 60_000) {
    const config = await oidcConfiguration(workspace.issuer, 'omnigent-cli')
    let clock = 0
    return await deviceSignIn(config, {
      write: (text) => (written += text),
      retryCommand: `omni login ${workspace.url} --device`,
      timeoutMs,
      sleep: async (ms) => {
        sleeps.push(ms)
        clock += ms
      },
      now: () => clock,
    })
  }

  it('shows the code and URL, then polls at the interval while pending', async () => {
    const tokens = await signIn()

    assert.match(tokens.access_token, /^at-/)
    assert.equal(
      written,
      `To sign in, visit:\n${workspace.issuer}/device/verify\n` +
        'and enter the code: WDJB-MJHT\n',
    )
    assert.deepEqual(sleeps, [1000, 1000])
  })

  it('adds five seconds to the interval for every slow_down', async () => {
    workspace.deviceAnswers.push(
      'authorization_pending',
      'slow_down',
      'slow_down',
    )

    await signIn()

    assert.deepEqual(sleeps, [1000, 1000, 6000, 11_000, 11_000])
  })

  it('says to run the command again when the issuer says expired_token', async () => {
    workspace.deviceAnswers.push('authorization_pending', 'expired_token')

    await assert.rejects(signIn(), (error: unknown) => {
      assert.ok(error instanceof CliError)
      assert.equal(error.exitCode, 3)
      assert.equal(
        error.message,
        `The code expired; run omni login ${workspace.url} --device again.`,
      )
      return true
    })
  })

  it('stops polling once expires_in (600 s) has passed here', async () => {
    workspace.deviceAnswers.push(...Array(20).fill('slow_down'))

    await assert.rejects(signIn(), {
      message: `The code expired; run omni login ${workspace.url} --device again.`,
    })
    // 1 + 6 + 11 + … + 71 = 540 s; the next wait passes 600 s.
    assert.equal(sleeps.length, 16)
  })

  it('gives up after its own timeout with the command to run again', async () => {
    workspace.deviceAnswers.push(...Array(20).fill('slow_down'))

    await assert.rejects(signIn(2 * 60_000), {
      message: `Sign-in timed out after 2 minutes; run omni login ${workspace.url} --device again.`,
    })
  })

  it('says the sign-in was declined on access_denied', async () => {
    workspace.deviceAnswers.push('access_denied')

    await assert.rejects(signIn(), {
      message: `The sign-in was declined in the browser; run omni login ${workspace.url} --device to try again.`,
    })
  })
})
