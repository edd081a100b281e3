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

interface AuditLine {
  actor: string | null
  action: string
  detail: Record<string, unknown>
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

  /** The workspace trail as the admin reads it with `omni audit --json`,
   * as [actor, action, detail], for entries of `person` or made about them. */
  async function trailOf(
    who: (entry: AuditLine) => boolean,
  ): Promise<Array<[string | null, string, Record<string, unknown>]>> {
    const result = await omni(alice, ['audit', '--json'])
    assert.equal(result.code, 0, result.stderr)
    return result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditLine)
      .filter(who)
      .map((entry) => [entry.actor, entry.action, entry.detail])
  }

  test('omni users add is on the workspace trail with the email and admin flag, never the password', async () => {
    const bob = new Person(product.url, 'bob@example.com', 'bob-password-1')
    secrets.add(bob.password)

    const added = await omni(alice, ['users', 'add', bob.email], {
      OMNI_PASSWORD: bob.password,
    })

    assert.equal(added.code, 0, added.stderr)
    assert.deepEqual(await trailOf((entry) => entry.action === 'user.add'), [
      [
        'alice@example.com',
        'user.add',
        { email: 'bob@example.com', admin: false },
      ],
    ])
    const trail = await omni(alice, ['audit', '--json'])
    assert.ok(!trail.stdout.includes(bob.password), 'the trail holds it')
  })

  test('every omni login is one sign-in on the trail, named by its flow, the first one too', async () => {
    const bob = new Person(product.url, 'bob@example.com', 'bob-password-1')

    await bob.login()
    const whoami = await omni(bob, ['whoami'])
    assert.equal(whoami.code, 0, whoami.stderr)
    await loginAs(bob, 'laptop')
    const device = startProcess(
      ['login', product.url, '--device', '--profile', 'phone'],
      bob.env,
    )
    const [, uri = '', code = ''] = await device.waitFor(
      /To sign in, visit:\n(\S+)\nand enter the code: (\S+)\n/,
    )
    await completeDeviceCode(uri, code, bob)
    assert.equal(await device.exited, 0, device.output())
    remember(bob)

    assert.deepEqual(await trailOf((entry) => entry.actor === bob.email), [
      [bob.email, 'user.sign-in', { method: 'cli' }],
      [bob.email, 'user.sign-in', { method: 'cli' }],
      [bob.email, 'user.sign-in', { method: 'device' }],
    ])
  })

  test('omni logout is on the trail as a sign-out from the CLI', async () => {
    const bob = new Person(product.url, 'bob@example.com', 'bob-password-1')
    await loginAs(bob, 'leaving')
    remember(bob)

    const result = await omni(bob, ['logout', '--profile', 'leaving'])

    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, 'Revoked the sign-in at the issuer.\n')
    const trail = await trailOf((entry) => entry.actor === bob.email)
    assert.deepEqual(trail.slice(-2), [
      [bob.email, 'user.sign-in', { method: 'cli' }],
      [bob.email, 'user.sign-out', { method: 'cli' }],
    ])
  })

  test('a sign-in is reported once per token, and only with a workspace token', async () => {
    const saved = profiles(alice).default
    assert.ok(saved)
    const report = (authorization: string) =>
      fetch(`${product.url}/api/me/sign-ins`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'device' }),
      })
    const before = await trailOf((entry) => entry.action === 'user.sign-in')

    const again = await report(`Bearer ${saved.accessToken}`)
    assert.equal(again.status, 201)
    assert.equal((await again.json()).email, alice.email)
    assert.deepEqual(
      await trailOf((entry) => entry.action === 'user.sign-in'),
      before,
    )

    const created = await alice.omni(['tokens', 'create', '--name', 'report'])
    assert.equal(created.code, 0, created.stderr)
    const token = created.stdout.trim()
    secrets.add(token)
    const personal = await report(`Bearer ${token}`)
    assert.equal(personal.status, 400)
    assert.deepEqual(await personal.json(), {
      error: {
        code: 'invalid_input',
        message:
          'A personal access token is not a sign-in; only a token from the workspace sign-in is.',
      },
    })
    const anonymous = await report('')
    assert.equal(anonymous.status, 401)
    assert.equal((await anonymous.json()).error.code, 'unauthenticated')
    assert.deepEqual(
      await trailOf((entry) => entry.action === 'user.sign-in'),
      before,
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
