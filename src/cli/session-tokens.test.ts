import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { CliError } from './cli-error.ts'
import {
  findProfile,
  saveProfile,
  type ProfileRecord,
} from './credentials-store.ts'
import {
  startFakeWorkspace,
  type FakeWorkspace,
} from './fake-workspace.test-support.ts'
import {
  getAccessToken,
  needsRefresh,
  type SignedInProfile,
} from './session-tokens.ts'

const nowSeconds = () => Math.floor(Date.now() / 1000)

describe('needsRefresh', () => {
  it('refreshes a token that expires within 60 seconds', () => {
    assert.equal(needsRefresh({ expiresAt: 1060 }, 1000), true)
    assert.equal(needsRefresh({ expiresAt: 900 }, 1000), true)
  })

  it('keeps a token that has more than a minute left', () => {
    assert.equal(needsRefresh({ expiresAt: 1061 }, 1000), false)
  })

  it('treats a record without an expiry as not expired', () => {
    assert.equal(needsRefresh({}, 1000), false)
  })
})

describe('getAccessToken', () => {
  let workspace: FakeWorkspace

  before(async () => {
    workspace = await startFakeWorkspace()
  })
  after(() => workspace.close())

  function profile(overrides: Partial<ProfileRecord>): SignedInProfile {
    const home = mkdtempSync(join(tmpdir(), 'omni-tokens-'))
    const record: ProfileRecord = {
      workspaceUrl: workspace.url,
      issuer: workspace.issuer,
      clientId: 'omnigent-cli',
      accessToken: 'old-access',
      refreshToken: 'old-refresh',
      email: 'alice@example.com',
      ...overrides,
    }
    saveProfile(home, 'work', record)
    return { home, name: 'work', record }
  }

  it('refreshes near expiry and saves the rotated tokens', async () => {
    workspace.refreshTokens.add('rt-near')
    const signedIn = profile({
      refreshToken: 'rt-near',
      expiresAt: nowSeconds() + 30,
    })

    const token = await getAccessToken(signedIn)

    assert.match(token, /^at-/)
    const saved = findProfile(signedIn.home, 'work')
    assert.equal(saved?.accessToken, token)
    assert.match(saved?.refreshToken ?? '', /^rt-/)
    assert.notEqual(saved?.refreshToken, 'rt-near')
    assert.ok((saved?.expiresAt ?? 0) >= nowSeconds() + 890)
    assert.deepEqual(signedIn.record, saved)
  })

  it('makes one refresh for concurrent callers', async () => {
    workspace.refreshTokens.add('rt-once')
    const signedIn = profile({
      refreshToken: 'rt-once',
      expiresAt: nowSeconds() - 5,
    })
    const before = workspace.tokenRequests.length

    const [a, b] = await Promise.all([
      getAccessToken(signedIn),
      getAccessToken(signedIn),
    ])

    assert.equal(a, b)
    assert.equal(workspace.tokenRequests.length - before, 1)
  })

  it('uses a token with time left without asking the issuer', async () => {
    const signedIn = profile({ expiresAt: nowSeconds() + 600 })
    const before = workspace.tokenRequests.length

    assert.equal(await getAccessToken(signedIn), 'old-access')
    assert.equal(workspace.tokenRequests.length, before)
  })

  it('uses a token without an expiry as it is', async () => {
    const signedIn = profile({})
    const before = workspace.tokenRequests.length

    assert.equal(await getAccessToken(signedIn), 'old-access')
    assert.equal(workspace.tokenRequests.length, before)
  })

  it('asks to sign in again when the issuer refuses the refresh token', async () => {
    const signedIn = profile({
      refreshToken: 'rt-revoked',
      expiresAt: nowSeconds(),
    })

    await assert.rejects(getAccessToken(signedIn), (error: unknown) => {
      assert.ok(error instanceof CliError)
      assert.equal(error.exitCode, 3)
      assert.equal(
        error.message,
        `Your sign-in has expired. Run: omni login ${workspace.url} --profile work`,
      )
      return true
    })
  })

  it('asks to sign in again when there is no refresh token', async () => {
    const signedIn = profile({
      refreshToken: undefined,
      expiresAt: nowSeconds(),
    })
    delete signedIn.record.refreshToken
    saveProfile(signedIn.home, 'work', signedIn.record)

    await assert.rejects(
      getAccessToken(signedIn),
      (error: unknown) =>
        error instanceof CliError &&
        error.exitCode === 3 &&
        error.message.startsWith('Your sign-in has expired.'),
    )
  })
})
