// Personal access tokens through the HTTP API, against a real server: made
// from a web sign-in, used as bearer tokens, listed without their secret,
// revoked at once, audited, and never written to a log.

import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { pino } from 'pino'
import { signInWithPassword } from '../../test/support/browser-sign-in.ts'
import { listAudit } from '../storage/audit-store.ts'
import { putSetting } from '../storage/settings-store.ts'
import { addDirectoryUser } from './directory.ts'
import {
  startIdentityServer,
  testWorkspace,
  type IdentityServer,
} from './test-server.ts'

const ana = { email: 'ana@example.com', password: 'ana password' }
const bob = { email: 'bob@example.com', password: 'bob password' }

function bearer(token: string) {
  return { headers: { authorization: `Bearer ${token}` } } as never
}

describe('personal access tokens', () => {
  let server: IdentityServer
  let anaCookie: string
  let bobCookie: string
  let logs = ''

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs += String(chunk)
        done()
      },
    })
    server = await startIdentityServer({ log: pino({ level: 'debug' }, sink) })
    const { db } = server.storage
    await putSetting(db, testWorkspace, 'enabled', 'true')
    for (const person of [ana, bob]) {
      await addDirectoryUser(db, testWorkspace, { ...person, admin: false })
    }
    const signIn = async (person: typeof ana) => {
      const { jar } = await signInWithPassword(
        `${server.publicUrl}/auth/login`,
        person,
      )
      return jar.header(server.publicUrl)
    }
    anaCookie = await signIn(ana)
    bobCookie = await signIn(bob)
  })
  after(async () => {
    await server.close()
  })

  async function call(
    method: string,
    path: string,
    auth: { cookie?: string; token?: string },
    body?: unknown,
  ) {
    const headers: Record<string, string> = { origin: server.publicUrl }
    if (auth.cookie) headers.cookie = auth.cookie
    if (auth.token) headers.authorization = `Bearer ${auth.token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${server.publicUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null }
  }

  test('a token is shown once, works as a bearer token and is listed without its secret', async () => {
    const made = await call(
      'POST',
      '/api/tokens',
      { cookie: anaCookie },
      {
        name: 'ci',
      },
    )
    assert.equal(made.status, 201)
    assert.match(made.body.token, /^omni_pat_[\w-]{43}$/)
    assert.equal(made.body.name, 'ci')
    const days = (Date.parse(made.body.expiresAt) - Date.now()) / 86_400_000
    assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`)

    const actor = await server.identity.authenticate(bearer(made.body.token))
    assert.equal(actor.email, ana.email)

    const listed = await call('GET', '/api/tokens', { token: made.body.token })
    assert.equal(listed.status, 200)
    const mine = listed.body.find((t: { id: string }) => t.id === made.body.id)
    assert.deepEqual(Object.keys(mine).sort(), [
      'createdAt',
      'expiresAt',
      'id',
      'lastUsedAt',
      'name',
    ])
    assert.equal(JSON.stringify(listed.body).includes(made.body.token), false)
    assert.notEqual(mine.lastUsedAt, null)
  })

  test('only the token’s hash is stored', async () => {
    const made = await call('POST', '/api/tokens', { cookie: anaCookie }, {})
    const rows = await server.storage.db
      .selectFrom('access_tokens')
      .selectAll()
      .execute()

    const stored = JSON.stringify(rows)
    assert.equal(stored.includes(made.body.token), false)
    assert.equal(stored.includes(made.body.token.slice(9)), false)
    assert.equal(made.body.name, 'personal access token')
  })

  test('a revoked token fails at once', async () => {
    const made = await call('POST', '/api/tokens', { cookie: anaCookie }, {})
    await server.identity.authenticate(bearer(made.body.token))

    const revoked = await call('DELETE', `/api/tokens/${made.body.id}`, {
      cookie: anaCookie,
    })
    assert.equal(revoked.status, 204)

    await assert.rejects(
      server.identity.authenticate(bearer(made.body.token)),
      {
        code: 'token_revoked',
        message: 'The credential was revoked.',
      },
    )
    const listed = await call('GET', '/api/tokens', { cookie: anaCookie })
    assert.equal(
      listed.body.some((t: { id: string }) => t.id === made.body.id),
      false,
    )
  })

  test('an expired token fails', async () => {
    const made = await call(
      'POST',
      '/api/tokens',
      { cookie: anaCookie },
      {
        expiresInDays: 1,
      },
    )
    await server.storage.db
      .updateTable('access_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', made.body.id)
      .execute()

    await assert.rejects(
      server.identity.authenticate(bearer(made.body.token)),
      {
        code: 'token_expired',
        message: 'The credential has expired.',
      },
    )
  })

  test('an unknown token with the prefix is invalid', async () => {
    await assert.rejects(
      server.identity.authenticate(bearer('omni_pat_not-a-real-token')),
      { code: 'token_invalid', message: 'The credential is not valid.' },
    )
  })

  test('nobody revokes another person’s token', async () => {
    const made = await call('POST', '/api/tokens', { cookie: anaCookie }, {})
    const attempt = await call('DELETE', `/api/tokens/${made.body.id}`, {
      cookie: bobCookie,
    })

    assert.equal(attempt.status, 404)
    assert.deepEqual(attempt.body.error, {
      code: 'not_found',
      message: 'You have no live token with that id.',
    })
    await server.identity.authenticate(bearer(made.body.token))
  })

  test('an expiry beyond a year or an unknown field is refused', async () => {
    const long = await call(
      'POST',
      '/api/tokens',
      { cookie: anaCookie },
      {
        expiresInDays: 366,
      },
    )
    assert.equal(long.status, 400)
    assert.deepEqual(long.body.error, {
      code: 'invalid_input',
      message: 'Invalid expiresInDays: Too big: expected number to be <=365.',
    })

    const extra = await call(
      'POST',
      '/api/tokens',
      { cookie: anaCookie },
      {
        userId: 'someone-else',
      },
    )
    assert.equal(extra.status, 400)
    assert.equal(extra.body.error.code, 'invalid_input')
  })

  test('a token made with a token is allowed and the trail says so', async () => {
    const first = await call('POST', '/api/tokens', { cookie: anaCookie }, {})
    const second = await call(
      'POST',
      '/api/tokens',
      { token: first.body.token },
      {
        name: 'minted by a token',
      },
    )
    assert.equal(second.status, 201)
    await call('DELETE', `/api/tokens/${second.body.id}`, {
      token: first.body.token,
    })

    const trail = await listAudit(server.storage.db, testWorkspace)
    const made = trail.find(
      (entry) =>
        entry.action === 'token.create' && entry.target_id === second.body.id,
    )
    assert.equal(made?.actor_email, ana.email)
    assert.deepEqual(JSON.parse(made?.detail ?? '{}'), {
      name: 'minted by a token',
      expiresAt: second.body.expiresAt,
      createdWith: 'access-token',
    })
    assert.ok(
      trail.some(
        (entry) =>
          entry.action === 'token.revoke' && entry.target_id === second.body.id,
      ),
    )
  })

  test('no token, cookie or password reaches the log', async () => {
    const made = await call('POST', '/api/tokens', { cookie: anaCookie }, {})
    await server.identity.authenticate(bearer(made.body.token))

    assert.match(logs, /access token created/)
    const rows = await server.storage.db
      .selectFrom('access_tokens')
      .select('token_hash')
      .execute()
    const cookieValue = /omni_session=([^;]+)/.exec(anaCookie)?.[1] ?? ''
    assert.ok(cookieValue)
    for (const secret of [
      made.body.token,
      cookieValue,
      ana.password,
      bob.password,
      ...rows.map((row) => row.token_hash),
    ]) {
      assert.equal(logs.includes(secret), false)
    }
  })
})
