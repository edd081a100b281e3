// The web sign-in, end to end through a browser stand-in: the relying party
// (openid-client) against the built-in workspace over real HTTP.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  CookieJar,
  signInWithPassword,
} from '../../test/support/browser-sign-in.ts'
import { startIdentityServer, type IdentityServer } from './test-server.ts'

const admin = { email: 'Admin@Example.com', password: 'first admin password' }

function withCookie(jar: CookieJar, url: string) {
  return { headers: { cookie: jar.header(url) } } as never
}

/** Follows the sign-in until the issuer redirects back to the server's
 * callback, and returns that callback URL unvisited. */
async function callbackUrlFor(server: IdentityServer, jar: CookieJar) {
  let url = new URL(`${server.publicUrl}/auth/login`)
  for (let hop = 0; hop < 10; hop += 1) {
    const response = await fetch(url, {
      headers: { cookie: jar.header(url) },
      redirect: 'manual',
    })
    jar.store(url, response)
    const next = new URL(response.headers.get('location') ?? '', url)
    if (next.pathname === '/auth/callback') return next
    url = next
  }
  throw new Error('no callback')
}

describe('web sign-in on a fresh built-in workspace', () => {
  let server: IdentityServer

  before(async () => {
    server = await startIdentityServer()
  })
  after(async () => {
    await server.close()
  })

  test('the first visitor on this machine sets up the admin and is signed in', async () => {
    assert.equal(await server.identity.isDirectoryEmpty(), true)

    const start = `${server.publicUrl}/auth/login?returnTo=/sessions/s_1?tab=files`
    const { finalUrl, jar } = await signInWithPassword(start, admin)

    assert.equal(finalUrl, `${server.publicUrl}/sessions/s_1?tab=files`)
    assert.equal(await server.identity.isDirectoryEmpty(), false)
    const actor = await server.identity.authenticate(
      withCookie(jar, server.publicUrl),
    )
    assert.equal(actor.email, 'admin@example.com')
    assert.equal(actor.isAdmin, true)
  })

  test('the session cookie is HttpOnly, SameSite=Lax and site-wide', async () => {
    const jar = new CookieJar()
    const callback = await signInWithPassword(
      `${server.publicUrl}/auth/login`,
      admin,
      jar,
    )
    assert.ok(callback.jar.get('omni_session', server.publicUrl))

    const again = await callbackUrlFor(server, jar)
    const response = await fetch(again, {
      headers: { cookie: jar.header(again) },
      redirect: 'manual',
    })
    const setCookie = response.headers.get('set-cookie') ?? ''
    assert.match(
      setCookie,
      /^omni_session=[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/,
    )
  })

  test('a wrong password shows the form again with a clear message', async () => {
    const { response, jar } = await signInWithPassword(
      `${server.publicUrl}/auth/login`,
      { email: admin.email, password: 'not the password' },
    )

    assert.equal(response.status, 401)
    assert.match(await response.text(), /Wrong email or password\./)
    assert.equal(jar.get('omni_session', server.publicUrl), undefined)
  })

  test('a callback replayed with a used state is refused', async () => {
    const jar = new CookieJar()
    await signInWithPassword(`${server.publicUrl}/auth/login`, admin, jar)
    const callback = await callbackUrlFor(server, jar)

    const first = await fetch(callback, { redirect: 'manual' })
    assert.equal(first.status, 303)
    const replay = await fetch(callback, { redirect: 'manual' })

    assert.equal(replay.status, 400)
    assert.match(
      await replay.text(),
      /This sign-in link was already used or has expired\./,
    )
    assert.equal(replay.headers.get('set-cookie'), null)
  })

  test('a callback with an unknown state is refused', async () => {
    const response = await fetch(
      `${server.publicUrl}/auth/callback?code=abc&state=made-up`,
      { redirect: 'manual' },
    )
    assert.equal(response.status, 400)
    assert.match(await response.text(), /already used or has expired/)
  })

  test('a return address on another origin becomes the home page', async () => {
    for (const returnTo of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
    ]) {
      const start = `${server.publicUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`
      const { finalUrl } = await signInWithPassword(start, admin)
      assert.equal(finalUrl, `${server.publicUrl}/`)
    }
  })

  test('logout revokes the session so the old cookie no longer works', async () => {
    const { jar } = await signInWithPassword(
      `${server.publicUrl}/auth/login`,
      admin,
    )
    const cookie = jar.header(server.publicUrl)
    await server.identity.authenticate(withCookie(jar, server.publicUrl))

    const response = await fetch(`${server.publicUrl}/auth/logout`, {
      method: 'POST',
      headers: { cookie, origin: server.publicUrl },
    })
    assert.equal(response.status, 204)
    assert.match(
      response.headers.get('set-cookie') ?? '',
      /^omni_session=; Path=\/; Max-Age=0/,
    )

    await assert.rejects(
      server.identity.authenticate({ headers: { cookie } } as never),
      { code: 'unauthenticated', message: 'Sign in to continue.' },
    )
  })

  test('a request with no credential is unauthenticated', async () => {
    await assert.rejects(
      server.identity.authenticate({ headers: {} } as never),
      { code: 'unauthenticated', message: 'Sign in to continue.' },
    )
    await assert.rejects(
      server.identity.authenticate({
        headers: { cookie: 'omni_session=forged' },
      } as never),
      { code: 'unauthenticated', message: 'Sign in to continue.' },
    )
  })
})
