// A short journey with real processes (setup, CLI and web sign-in, a
// personal access token, a host), then a scan of everything every process
// printed for every secret the journey used: no token, refresh token,
// cookie, password or key may appear in any output.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startScriptedModelServer } from '../support/scripted-model-server.ts'
import { allOutput } from '../support/processes.ts'
import {
  Person,
  startProduct,
  type RunningProduct,
} from '../support/product.ts'

const modelKey = 'sk-test-secret-scan-key-0123456789'

/** Every string under a key that names a token or secret. */
function secretsIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    return /token|secret|password/i.test(key) && value.length >= 8
      ? [value]
      : []
  }
  if (Array.isArray(value)) return value.flatMap((item) => secretsIn(item, key))
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([name, item]) =>
      secretsIn(item, name),
    )
  }
  return []
}

describe('secrets in the output of a journey', () => {
  let product: RunningProduct
  let model: Awaited<ReturnType<typeof startScriptedModelServer>>
  let alice: Person
  let host: ReturnType<Person['startHost']> | undefined
  const used: Array<[string, string]> = []

  before(async () => {
    model = await startScriptedModelServer({ apiKey: modelKey, script: [] })
    product = await startProduct()
    alice = new Person(product.url, 'alice@example.com', 'alice-password-1')
    used.push(['password', alice.password], ['model key', modelKey])
  })
  after(async () => {
    await host?.stop()
    await product?.stop()
    await model?.close()
  })

  test('the journey runs: setup, sign-ins, a token and a host', async () => {
    const setup = await alice.omni(
      ['users', 'add', alice.email, '--admin', '--workspace', product.url],
      { OMNI_PASSWORD: alice.password },
    )
    assert.equal(setup.code, 0, setup.stderr)
    await alice.login()
    await alice.signInWeb()
    const enabled = await alice.api('POST', '/api/admin/enablement', {
      enabled: true,
    })
    assert.equal(enabled.status, 200)

    const made = await alice.api('POST', '/api/tokens', { name: 'scan' })
    assert.equal(made.status, 201)
    const me = await fetch(`${product.url}/api/me`, {
      headers: { authorization: `Bearer ${made.body.token}` },
    })
    assert.equal((await me.json()).email, alice.email)

    host = alice.startHost({
      OMNI_MODEL_BASE_URL: model.baseUrl,
      OMNI_MODEL: 'scripted',
      OMNI_MODEL_API_KEY: modelKey,
    })
    await host.waitFor(/connected/i)

    const cookie = alice.jar?.get('omni_session', product.url)
    assert.ok(cookie)
    used.push(['personal access token', made.body.token])
    used.push(['session cookie', cookie])
    const credentials = JSON.parse(
      readFileSync(join(alice.home, 'credentials.json'), 'utf8'),
    )
    const stored = secretsIn(credentials)
    assert.ok(stored.length >= 2, 'an access and a refresh token are stored')
    for (const secret of stored) used.push(['CLI credential', secret])
  })

  test('no process printed any of them', () => {
    const output = allOutput.join('')
    assert.ok(output.length > 0)
    for (const [what, secret] of used) {
      assert.equal(output.includes(secret), false, `${what} was printed`)
    }
  })
})
