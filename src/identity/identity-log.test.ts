import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { pino } from 'pino'
import {
  CookieJar,
  signInWithPassword,
} from '../../test/support/browser-sign-in.ts'
import { startIdentityServer, type IdentityServer } from './test-server.ts'

const admin = { email: 'logged@example.com', password: 'a secret password' }

describe('identity logs', () => {
  const lines: Array<Record<string, unknown>> = []
  let raw = ''
  let server: IdentityServer

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        raw += String(chunk)
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          lines.push(JSON.parse(line))
        }
        done()
      },
    })
    server = await startIdentityServer({ log: pino({ level: 'info' }, sink) })
  })
  after(async () => {
    await server.close()
  })

  test('sign-ins are logged by outcome, never with a secret', async () => {
    const jar = new CookieJar()
    await signInWithPassword(`${server.publicUrl}/auth/login`, admin, jar)
    await signInWithPassword(`${server.publicUrl}/auth/login`, {
      ...admin,
      password: 'wrong password',
    })
    await fetch(`${server.publicUrl}/auth/callback?code=c0de&state=5tate`)

    const messages = lines.map((line) => [line.msg, line.reason ?? line.via])
    assert.deepEqual(messages, [
      ['first admin created', 'web'],
      ['web sign-in completed', undefined],
      ['web sign-in refused', 'unknown_state'],
    ])
    assert.ok(lines.every((line) => line.part === 'identity'))

    const session = jar.get('omni_session', server.publicUrl)
    assert.ok(session)
    for (const secret of [admin.password, 'wrong password', session, 'c0de']) {
      assert.equal(raw.includes(secret), false)
    }
  })
})
