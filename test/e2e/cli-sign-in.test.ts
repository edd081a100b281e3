// `omni` sign-in against the real server and its built-in OIDC provider:
// the device grant, refresh under a lock shared by processes, sign-out with
// revocation, personal access tokens, and no secret in any output.

import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import * as client from 'openid-client'
import { deviceSignIn } from '../../src/cli/device-sign-in.ts'
import {
  completeDeviceCode,
  signInWithPassword,
} from '../support/browser-sign-in.ts'
import {
  freePort,
  runCli,
  startProcess,
  type CliResult,
} from '../support/processes.ts'
import {
  Person,
  startProduct,
  type RunningProduct,
} from '../support/product.ts'

interface Saved {
  workspaceUrl: string
  issuer: string
  accessToken: string
  refreshToken?: string
  expiresAt?: number
}

function profiles(person: Person): Record<string, Saved> {
  const path = join(person.home, 'credentials.json')
  return JSON.parse(readFileSync(path, 'utf8')).profiles
}

function editProfile(person: Person, name: string, change: Partial<Saved>) {
  const path = join(person.home, 'credentials.json')
  const file = JSON.parse(readFileSync(path, 'utf8'))
  file.profiles[name] = { ...file.profiles[name], ...change }
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 })
}

/** `omni login --profile NAME`, the browser step done by the stand-in. */
async function loginAs(person: Person, profile: string): Promise<void> {
  const login = startProcess(
    ['login', person.url, '--profile', profile],
    person.env,
  )
  const [authUrl] = await login.waitFor(/^https?:\/\/\S+\/oidc\/\S+$/m)
  await signInWithPassword(authUrl, person)
  assert.equal(await login.exited, 0, login.output())
}

async function issuerConfig(issuer: string) {
  return await client.discovery(
    new URL(issuer),
    'omnigent-cli',
    undefined,
    client.None(),
    { execute: [client.allowInsecureRequests] },
  )
}

const past = () => Math.floor(Date.now() / 1000) - 10

describe('omni sign-in against the built-in workspace', () => {
  let product: RunningProduct
  let alice: Person
  /** Every secret the tests handled, and every output they saw. */
  const secrets = new Set<string>()
  const outputs: string[] = []

  const omni = async (
    person: Person,
    args: string[],
    extra: Record<string, string> = {},
  ): Promise<CliResult> => {
    const result = await person.omni(args, extra)
    outputs.push(result.stdout, result.stderr)
    return result
  }

  const remember = (person: Person) => {
    for (const saved of Object.values(profiles(person))) {
      secrets.add(saved.accessToken)
      if (saved.refreshToken) secrets.add(saved.refreshToken)
    }
  }

  before(async () => {
    product = await startProduct()
    alice = new Person(product.url, 'alice@example.com', 'alice-password-1')
    secrets.add(alice.password)
    const setup = await alice.omni(
      ['users', 'add', alice.email, '--admin', '--workspace', product.url],
      { OMNI_PASSWORD: alice.password },
    )
    assert.equal(setup.code, 0, setup.stderr)
    await alice.login()
    remember(alice)
    const enabled = await omni(alice, ['admin', 'enable'])
    assert.equal(enabled.code, 0, enabled.stderr)
  })

  after(async () => {
    await product?.stop()
  })

  test('omni login --device shows a code and signs in once it is approved', async () => {
    const login = startProcess(
      ['login', product.url, '--device', '--profile', 'phone'],
      alice.env,
    )
    const [, uri = '', code = ''] = await login.waitFor(
      /To sign in, visit:\n(\S+)\nand enter the code: (\S+)\n/,
    )
    assert.equal(uri, `${product.url}/oidc/device`)

    await completeDeviceCode(uri, code, alice)

    assert.equal(await login.exited, 0, login.output())
    assert.match(login.output(), /Signed in to \S+ as alice@example\.com\.\n/)
    outputs.push(login.output())
    remember(alice)
    const whoami = await omni(alice, ['whoami', '--profile', 'phone'])
    assert.equal(whoami.code, 0, whoami.stderr)
    assert.match(whoami.stdout, /^alice@example\.com\n/)
  })

  test('the device poll keeps waiting through authorization_pending from the real provider', async () => {
    const config = await issuerConfig(`${product.url}/oidc`)
    let shown = ''
    let polls = 0

    const tokens = await deviceSignIn(config, {
      write: (text) => (shown += text),
      retryCommand: 'omni login --device',
      timeoutMs: 60_000,
      sleep: async () => {
        polls += 1
        // The person approves only after the first polls were answered.
        if (polls === 3) {
          const [, uri = '', code = ''] =
            /visit:\n(\S+)\nand enter the code: (\S+)/.exec(shown) ?? []
          await completeDeviceCode(uri, code, alice)
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      },
    })

    assert.equal(polls, 3)
    assert.equal(typeof tokens.access_token, 'string')
    secrets.add(tokens.access_token)
  })

  test('two processes refresh an expired token once, under the shared lock', async () => {
    await loginAs(alice, 'race')
    remember(alice)
    const before = profiles(alice).race
    assert.ok(before?.refreshToken)
    editProfile(alice, 'race', { expiresAt: past() })

    // The provider rotates refresh tokens and refuses a second use of the
    // old one, so without the lock one of these fails.
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => omni(alice, ['whoami', '--profile', 'race'])),
    )

    for (const result of results) {
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /^alice@example\.com\n/)
    }
    remember(alice)
    const after = profiles(alice).race
    assert.notEqual(after?.refreshToken, before.refreshToken)
    assert.ok((after?.expiresAt ?? 0) > past() + 600)
    const config = await issuerConfig(before.issuer)
    await assert.rejects(
      client.refreshTokenGrant(config, before.refreshToken),
      { error: 'invalid_grant' },
    )
  })

  test('a refused refresh ends in one message naming the exact login command', async () => {
    await loginAs(alice, 'stale')
    remember(alice)
    editProfile(alice, 'stale', {
      expiresAt: past(),
      refreshToken: 'not-a-refresh-token',
    })

    const result = await omni(alice, ['whoami', '--profile', 'stale'])

    assert.equal(result.code, 3)
    assert.equal(result.stdout, '')
    assert.equal(
      result.stderr,
      `omni: Your sign-in has expired. Run: omni login ${product.url} --profile stale\n`,
    )
  })

  test('omni logout revokes the refresh token at the issuer and forgets the profile', async () => {
    await loginAs(alice, 'leaving')
    remember(alice)
    const saved = profiles(alice).leaving
    assert.ok(saved?.refreshToken)

    const result = await omni(alice, ['logout', '--profile', 'leaving'])

    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      `Signed out of ${product.url} (profile leaving).\n`,
    )
    assert.equal(result.stderr, 'Revoked the sign-in at the issuer.\n')
    assert.equal(profiles(alice).leaving, undefined)
    const config = await issuerConfig(saved.issuer)
    await assert.rejects(client.refreshTokenGrant(config, saved.refreshToken), {
      error: 'invalid_grant',
    })
  })

  test('omni logout works offline: it forgets the profile and warns', async () => {
    await loginAs(alice, 'offline')
    remember(alice)
    const gone = `http://127.0.0.1:${await freePort()}`
    editProfile(alice, 'offline', {
      workspaceUrl: gone,
      issuer: `${gone}/oidc`,
    })

    const result = await omni(alice, ['logout', '--profile', 'offline'])

    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, `Signed out of ${gone} (profile offline).\n`)
    assert.match(
      result.stderr,
      /^Could not revoke the sign-in at the issuer \(.+\); removed it here anyway\.\n$/,
    )
    assert.equal(profiles(alice).offline, undefined)
  })

  test('a personal access token signs a profile in without a browser, until it is revoked', async () => {
    // Its stdout is the one place a token is meant to appear.
    const created = await alice.omni([
      'tokens',
      'create',
      '--name',
      'ci',
      '--expires',
      '7',
    ])
    outputs.push(created.stderr)
    assert.equal(created.code, 0, created.stderr)
    const token = created.stdout.trim()
    assert.match(token, /^omni_pat_\S+$/)
    assert.match(created.stderr, /This is the only time it is shown/)
    secrets.add(token)

    const login = await runCli(
      ['login', product.url, '--token-stdin', '--profile', 'ci'],
      alice.env,
      `${token}\n`,
    )
    outputs.push(login.stdout, login.stderr)
    assert.equal(login.code, 0, login.stderr)
    assert.equal(profiles(alice).ci?.refreshToken, undefined)

    const whoami = await omni(alice, ['whoami', '--json', '--profile', 'ci'])
    assert.equal(whoami.code, 0, whoami.stderr)
    assert.equal(JSON.parse(whoami.stdout).email, 'alice@example.com')

    const listed = await omni(alice, ['tokens', '--json'])
    assert.equal(listed.code, 0, listed.stderr)
    const entry = JSON.parse(listed.stdout).find(
      (t: { name: string }) => t.name === 'ci',
    )
    assert.ok(entry, listed.stdout)

    const revoked = await omni(alice, ['tokens', 'revoke', entry.id])
    assert.equal(revoked.code, 0, revoked.stderr)
    assert.equal(revoked.stdout, `Revoked token ${entry.id}.\n`)

    const after = await omni(alice, ['whoami', '--profile', 'ci'])
    assert.equal(after.code, 3)
    assert.match(
      after.stderr,
      new RegExp(
        ` Run: omni login ${product.url} --profile ci --token-stdin\\n$`,
      ),
    )
  })

  test('no command printed a token, refresh token or password', () => {
    assert.ok(secrets.size >= 8, `only ${secrets.size} secrets collected`)
    const printed = outputs.join('\n')
    for (const secret of secrets) {
      assert.ok(!printed.includes(secret), 'a secret appeared in the output')
    }
  })
})
