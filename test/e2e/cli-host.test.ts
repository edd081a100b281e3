// `omni host` against the real server: it refreshes a lapsed sign-in before
// it dials, ends with exit 3 and the login command when the sign-in is gone
// for good, and ends (rather than retrying forever) once its owner removes
// it with `omni hosts remove`.

import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { signInWithPassword } from '../support/browser-sign-in.ts'
import { startProcess, type Proc } from '../support/processes.ts'
import {
  Person,
  startProduct,
  type RunningProduct,
} from '../support/product.ts'

interface Saved {
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
  if (change.expiresAt === undefined) delete file.profiles[name].expiresAt
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 })
}

async function loginAs(person: Person, profile: string): Promise<void> {
  const login = startProcess(
    ['login', person.url, '--profile', profile],
    person.env,
  )
  const [authUrl] = await login.waitFor(/^https?:\/\/\S+\/oidc\/\S+$/m)
  await signInWithPassword(authUrl, person)
  assert.equal(await login.exited, 0, login.output())
}

const past = () => Math.floor(Date.now() / 1000) - 10

describe('omni host and its credentials', () => {
  let product: RunningProduct
  let alice: Person
  const hosts: Proc[] = []

  const secrets = new Set<string>()
  const remember = (person: Person) => {
    for (const saved of Object.values(profiles(person))) {
      secrets.add(saved.accessToken)
      if (saved.refreshToken) secrets.add(saved.refreshToken)
    }
  }

  const startHost = (person: Person, profile: string, name: string) => {
    remember(person)
    const host = person.startHost({ OMNI_PROFILE: profile }, name)
    hosts.push(host)
    return host
  }

  before(async () => {
    product = await startProduct()
    alice = new Person(product.url, 'alice@example.com', 'alice-password-1')
    const setup = await alice.omni(
      ['users', 'add', alice.email, '--admin', '--workspace', product.url],
      { OMNI_PASSWORD: alice.password },
    )
    assert.equal(setup.code, 0, setup.stderr)
    await alice.login()
    const enabled = await alice.omni(['admin', 'enable'])
    assert.equal(enabled.code, 0, enabled.stderr)
  })

  after(async () => {
    await Promise.all(hosts.map((host) => host.stop()))
    await product?.stop()
  })

  test(
    'a host refreshes a lapsed sign-in before it dials',
    { timeout: 30_000 },
    async () => {
      const before = profiles(alice).default
      editProfile(alice, 'default', { expiresAt: past() })

      const host = startHost(alice, 'default', 'laptop')
      await host.waitFor(/Host laptop is connected as alice@example\.com\./)

      const after = profiles(alice).default
      assert.notEqual(after?.refreshToken, before?.refreshToken)
      assert.ok((after?.expiresAt ?? 0) > past() + 600)
      await host.stop()
    },
  )

  test(
    'a host whose refresh is refused exits 3 with the login command',
    { timeout: 30_000 },
    async () => {
      await loginAs(alice, 'stale')
      editProfile(alice, 'stale', {
        expiresAt: past(),
        refreshToken: 'not-a-refresh-token',
      })

      const host = startHost(alice, 'stale', 'laptop')

      assert.equal(await host.exited, 3, host.output())
      assert.match(
        host.output(),
        new RegExp(
          `^omni: Your sign-in has expired\\. Run: omni login ${product.url} --profile stale$`,
          'm',
        ),
      )
      assert.doesNotMatch(host.output(), /is connected/)
    },
  )

  test(
    'a host refused at the upgrade (401) exits 3 and never says connected',
    { timeout: 30_000 },
    async () => {
      await loginAs(alice, 'bogus')
      editProfile(alice, 'bogus', { accessToken: 'not-a-token' })

      const host = startHost(alice, 'bogus', 'laptop')

      assert.equal(await host.exited, 3, host.output())
      assert.match(
        host.output(),
        new RegExp(
          `^omni: The credential is not valid\\. Run: omni login ${product.url} --profile bogus$`,
          'm',
        ),
      )
      assert.doesNotMatch(host.output(), /is connected/)
    },
  )

  test(
    'a host its owner removes is disconnected, refused, and exits',
    { timeout: 30_000 },
    async () => {
      const machine = new Person(product.url, alice.email, alice.password)
      await machine.login()
      const host = startHost(machine, 'default', 'build-box')
      await host.waitFor(/Host build-box is connected/)

      const removed = await alice.omni(['hosts', 'remove', 'build-box'])
      assert.equal(removed.code, 0, removed.stderr)
      assert.equal(removed.stdout, 'Removed host build-box.\n')

      assert.equal(await host.exited, 4, host.output())
      assert.match(
        host.output(),
        /^omni: This host was removed by its owner\. .+$/m,
      )
      assert.match(host.output(), /^Disconnected from the server/m)
    },
  )

  test('no host printed a token or refresh token', () => {
    assert.ok(secrets.size >= 6, `only ${secrets.size} secrets collected`)
    const printed = hosts.map((host) => host.output()).join('\n')
    for (const secret of secrets) {
      assert.ok(!printed.includes(secret), 'a secret appeared in the output')
    }
  })
})
