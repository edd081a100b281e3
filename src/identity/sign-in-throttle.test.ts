import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  CookieJar,
  signInWithPassword,
} from '../../test/support/browser-sign-in.ts'
import { addDirectoryUser } from './directory.ts'
import { createSignInThrottle, throttleMessage } from './sign-in-throttle.ts'
import {
  startIdentityServer,
  testWorkspace,
  type IdentityServer,
} from './test-server.ts'

const minute = 60_000

describe('the sign-in throttle', () => {
  function throttleAt(start = 1_000_000) {
    const clock = { now: start }
    const throttle = createSignInThrottle({ now: () => clock.now })
    return { clock, throttle }
  }
  const failTimes = (
    throttle: ReturnType<typeof createSignInThrottle>,
    times: number,
    email: string,
    address = '192.0.2.1',
  ) => {
    for (let i = 0; i < times; i += 1) throttle.failed(email, address)
  }

  test('five failures for an email in 15 minutes hold it back five minutes', () => {
    const { clock, throttle } = throttleAt()
    failTimes(throttle, 4, 'ana@example.com')
    assert.equal(throttle.waitMs('ana@example.com', '192.0.2.9'), 0)

    throttle.failed('Ana@Example.com ', '192.0.2.1')
    assert.equal(throttle.waitMs('ana@example.com', '192.0.2.9'), 5 * minute)
    assert.equal(throttle.waitMs('bob@example.com', '192.0.2.9'), 0)

    clock.now += 5 * minute
    assert.equal(throttle.waitMs('ana@example.com', '192.0.2.9'), 0)
  })

  test('failures spread beyond 15 minutes do not add up', () => {
    const { clock, throttle } = throttleAt()
    failTimes(throttle, 4, 'ana@example.com')
    clock.now += 16 * minute
    failTimes(throttle, 4, 'ana@example.com')
    assert.equal(throttle.waitMs('ana@example.com', '192.0.2.1'), 0)
  })

  test('each hold in a row lasts twice as long as the one before', () => {
    const { clock, throttle } = throttleAt()
    for (const expected of [5, 10, 20, 40]) {
      failTimes(throttle, 5, 'ana@example.com')
      const wait = throttle.waitMs('ana@example.com', '192.0.2.1')
      assert.equal(wait, expected * minute)
      clock.now += wait
    }
  })

  test('holds never grow past a day', () => {
    const { clock, throttle } = throttleAt()
    for (let round = 0; round < 12; round += 1) {
      failTimes(throttle, 5, 'ana@example.com')
      clock.now += throttle.waitMs('ana@example.com', '192.0.2.1')
    }
    failTimes(throttle, 5, 'ana@example.com')
    assert.equal(
      throttle.waitMs('ana@example.com', '192.0.2.1'),
      24 * 60 * minute,
    )
  })

  test('a success clears the email’s failures and holds', () => {
    const { throttle } = throttleAt()
    failTimes(throttle, 5, 'ana@example.com')
    throttle.succeeded('ana@example.com')
    failTimes(throttle, 4, 'ana@example.com')
    assert.equal(throttle.waitMs('ana@example.com', '192.0.2.1'), 0)
  })

  test('twenty failures from one address hold back every email from it', () => {
    const { throttle } = throttleAt()
    for (let i = 0; i < 20; i += 1) {
      throttle.failed(`person${i}@example.com`, '192.0.2.7')
    }
    assert.equal(throttle.waitMs('new@example.com', '192.0.2.7'), 5 * minute)
    assert.equal(throttle.waitMs('new@example.com', '192.0.2.8'), 0)
  })

  test('says how many minutes are left, rounded up', () => {
    assert.equal(
      throttleMessage(4 * minute + 1),
      'Too many failed sign-ins; try again in 5 minutes.',
    )
    assert.equal(
      throttleMessage(30_000),
      'Too many failed sign-ins; try again in 1 minute.',
    )
  })
})

describe('the sign-in form under repeated failures', () => {
  const ana = { email: 'ana@example.com', password: 'ana password' }
  let server: IdentityServer

  before(async () => {
    server = await startIdentityServer()
    await addDirectoryUser(server.storage.db, testWorkspace, {
      ...ana,
      admin: false,
    })
    await addDirectoryUser(server.storage.db, testWorkspace, {
      email: 'bob@example.com',
      password: 'bob password',
      admin: false,
    })
  })
  after(async () => {
    await server.close()
  })

  const attempt = async (email: string, password: string) => {
    const { response, finalUrl } = await signInWithPassword(
      `${server.publicUrl}/auth/login`,
      { email, password },
      new CookieJar(),
    )
    return { status: response.status, page: await response.text(), finalUrl }
  }

  test('refuses a sixth try for that email, even the right password, with 429', async () => {
    for (let i = 0; i < 5; i += 1) {
      const wrong = await attempt(ana.email, 'not the password')
      assert.equal(wrong.status, 401)
      assert.match(wrong.page, /Wrong email or password\./)
    }

    const held = await attempt(ana.email, ana.password)
    assert.equal(held.status, 429)
    assert.match(
      held.page,
      /Too many failed sign-ins; try again in 5 minutes\./,
    )

    const other = await attempt('bob@example.com', 'bob password')
    assert.equal(other.finalUrl, `${server.publicUrl}/`)
  })
})
