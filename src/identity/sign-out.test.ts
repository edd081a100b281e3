// Signing out of the web app: one sign-in, or every one of a person's, with
// the server told so it can close their streams, and never from a page on
// another site.

import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  CookieJar,
  signInWithPassword,
} from '../../test/support/browser-sign-in.ts'
import { listAudit } from '../storage/audit-store.ts'
import { addDirectoryUser } from './directory.ts'
import { hashSessionToken } from './web-session-store.ts'
import {
  startIdentityServer,
  testWorkspace,
  type IdentityServer,
} from './test-server.ts'

const ana = { email: 'ana@example.com', password: 'ana password' }
const bob = { email: 'bob@example.com', password: 'bob password' }

describe('signing out', () => {
  let server: IdentityServer
  let signOuts: Array<[string, string | undefined]> = []

  before(async () => {
    server = await startIdentityServer({
      onSignOut: (userId, webSessionId) =>
        signOuts.push([userId, webSessionId]),
    })
    for (const person of [ana, bob]) {
      await addDirectoryUser(server.storage.db, testWorkspace, {
        ...person,
        admin: false,
      })
    }
  })
  beforeEach(() => {
    signOuts = []
  })
  after(async () => {
    await server.close()
  })

  async function signIn(person: typeof ana): Promise<string> {
    return (await signInIn(new CookieJar(), person)).header(server.publicUrl)
  }
  async function signInIn(jar: CookieJar, person: typeof ana) {
    await signInWithPassword(`${server.publicUrl}/auth/login`, person, jar)
    return jar
  }

  /** The page pressing Sign in leads this browser to. */
  async function pressSignIn(jar: CookieJar): Promise<string> {
    let url = new URL(`${server.publicUrl}/auth/login`)
    for (let step = 0; step < 10; step += 1) {
      const response = await fetch(url, {
        headers: { cookie: jar.header(url), accept: 'text/html' },
        redirect: 'manual',
      })
      jar.store(url, response)
      const location = response.headers.get('location')
      if (location === null) return await response.text()
      await response.body?.cancel()
      url = new URL(location, url)
    }
    throw new Error('sign-in did not settle')
  }
  const asksForPassword = (page: string) => /name="password"/.test(page)

  /** A browser holding these cookies, as a copy of them would. */
  function browserWith(cookies: Array<[string, string | undefined]>) {
    const jar = new CookieJar()
    for (const [name, value] of cookies) {
      assert.ok(value, `the browser holds ${name}`)
      const headers = new Headers([['set-cookie', `${name}=${value}; Path=/`]])
      jar.store(server.publicUrl, { headers } as Response)
    }
    return jar
  }
  const providerCookies = (jar: CookieJar) =>
    ['_session', '_session.sig'].map((name): [string, string | undefined] => [
      name,
      jar.get(name, server.publicUrl),
    ])
  const actorFor = (cookie: string) =>
    server.identity.authenticate({ headers: { cookie } } as never)
  const post = (path: string, headers: Record<string, string>) =>
    fetch(`${server.publicUrl}${path}`, { method: 'POST', headers })

  test('sign-out ends that sign-in and tells the server which one', async () => {
    const cookie = await signIn(ana)
    const other = await signIn(ana)
    const { userId } = await actorFor(cookie)

    const response = await post('/auth/logout', {
      cookie,
      origin: server.publicUrl,
    })
    assert.equal(response.status, 204)

    const token = /omni_session=([^;]+)/.exec(cookie)?.[1] ?? ''
    assert.deepEqual(signOuts, [[userId, hashSessionToken(token)]])
    await assert.rejects(actorFor(cookie), { code: 'unauthenticated' })
    assert.equal((await actorFor(other)).userId, userId)
  })

  test('sign-out ends the workspace sign-in too, so signing in asks for the password', async () => {
    const jar = await signInIn(new CookieJar(), ana)
    assert.equal(asksForPassword(await pressSignIn(jar)), false)
    const copied = browserWith(providerCookies(jar))

    const response = await post('/auth/logout', {
      cookie: jar.header(server.publicUrl),
      origin: server.publicUrl,
    })
    assert.equal(response.status, 204)
    jar.store(server.publicUrl, response)

    assert.equal(asksForPassword(await pressSignIn(jar)), true)
    // Not only the cookies are gone: the workspace forgot that sign-in.
    assert.equal(asksForPassword(await pressSignIn(copied)), true)
  })

  test('sign-out everywhere ends the workspace sign-in in every browser', async () => {
    const here = await signInIn(new CookieJar(), ana)
    const there = await signInIn(new CookieJar(), ana)
    const bobs = await signInIn(new CookieJar(), bob)

    const response = await post('/auth/logout-everywhere', {
      cookie: here.header(server.publicUrl),
      origin: server.publicUrl,
    })
    assert.equal(response.status, 200)
    here.store(server.publicUrl, response)

    assert.equal(asksForPassword(await pressSignIn(here)), true)
    assert.equal(asksForPassword(await pressSignIn(there)), true)
    assert.equal(asksForPassword(await pressSignIn(bobs)), false)
  })

  test('sign-out everywhere ends every web sign-in of that person only', async () => {
    const first = await signIn(ana)
    const second = await signIn(ana)
    const bobs = await signIn(bob)
    const { userId } = await actorFor(first)

    const response = await post('/auth/logout-everywhere', {
      cookie: first,
      origin: server.publicUrl,
    })
    assert.equal(response.status, 200)
    assert.ok((await response.json()).webSessionsEnded >= 2)

    assert.deepEqual(signOuts, [[userId, undefined]])
    for (const cookie of [first, second]) {
      await assert.rejects(actorFor(cookie), {
        code: 'unauthenticated',
        message: 'Sign in to continue.',
      })
    }
    assert.equal((await actorFor(bobs)).email, bob.email)
  })

  test('a form post is sent home on the public URL', async () => {
    const cookie = await signIn(ana)
    const response = await fetch(`${server.publicUrl}/auth/logout`, {
      method: 'POST',
      headers: { cookie, origin: server.publicUrl, accept: 'text/html' },
      redirect: 'manual',
    })
    assert.equal(response.status, 303)
    assert.equal(response.headers.get('location'), `${server.publicUrl}/`)
  })

  test('a sign-out posted from another site is refused and changes nothing', async () => {
    const cookie = await signIn(ana)
    for (const path of ['/auth/logout', '/auth/logout-everywhere']) {
      const attempts: Array<Record<string, string>> = [
        { origin: 'https://evil.example' },
        { referer: 'https://evil.example/page' },
        { 'sec-fetch-site': 'cross-site', origin: server.publicUrl },
        {},
      ]
      for (const headers of attempts) {
        const response = await post(path, { cookie, ...headers })
        assert.equal(response.status, 403)
        assert.deepEqual(await response.json(), {
          error: {
            code: 'cross_site',
            message:
              'This request came from another site; open Omnigent at its own address.',
          },
        })
      }
    }

    assert.deepEqual(signOuts, [])
    assert.equal((await actorFor(cookie)).email, ana.email)
  })

  test('each sign-out is on the trail as the person who signed out, and how', async () => {
    const newest = async () =>
      (await listAudit(server.storage.db, testWorkspace)).at(-1)?.id ?? 0
    const since = await newest()
    const once = await signIn(bob)
    const { userId } = await actorFor(once)
    const everywhere = await signIn(bob)
    await signIn(bob)

    for (const [path, cookie] of [
      ['/auth/logout', once],
      ['/auth/logout-everywhere', everywhere],
    ] as const) {
      const response = await post(path, { cookie, origin: server.publicUrl })
      assert.ok(response.ok, `${path} answered ${response.status}`)
    }

    const trail = await listAudit(server.storage.db, testWorkspace)
    assert.deepEqual(
      trail
        .filter((entry) => entry.id > since)
        .filter((entry) => entry.action === 'user.sign-out')
        .map((entry) => [
          entry.actor_email,
          entry.actor_id,
          entry.target_id,
          JSON.parse(entry.detail).method,
        ]),
      [
        [bob.email, userId, userId, 'web'],
        [bob.email, userId, userId, 'everywhere'],
      ],
    )
    const recorded = JSON.stringify(trail)
    for (const cookie of [once, everywhere]) {
      const token = /omni_session=([^;]+)/.exec(cookie)?.[1] ?? ''
      assert.ok(!recorded.includes(token), 'the trail holds a cookie')
    }
  })

  test('a sign-out with no live sign-in leaves the trail alone', async () => {
    const cookie = await signIn(bob)
    await post('/auth/logout', { cookie, origin: server.publicUrl })
    const before = await listAudit(server.storage.db, testWorkspace)

    const again = await post('/auth/logout', {
      cookie,
      origin: server.publicUrl,
    })
    assert.equal(again.status, 204)
    const everywhere = await post('/auth/logout-everywhere', {
      cookie,
      origin: server.publicUrl,
    })
    assert.equal(everywhere.status, 401)
    assert.deepEqual(await listAudit(server.storage.db, testWorkspace), before)
  })

  test('sign-out everywhere without a sign-in is unauthenticated', async () => {
    const response = await post('/auth/logout-everywhere', {
      origin: server.publicUrl,
    })
    assert.equal(response.status, 401)
    assert.equal((await response.json()).error.code, 'unauthenticated')
  })
})
