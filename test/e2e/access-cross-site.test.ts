// Cross-site protection. A browser attaches the sign-in cookie to requests
// that any other site makes, so a state change authenticated by that cookie
// must come from Omnigent's own origin; bearer tokens, which no browser sends
// by itself, are exempt. WebSocket upgrades check Origin the same way.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  startAccessWorld,
  startTestServer,
  type TestServer,
} from '../../src/server/server.test-support.ts'

type World = Awaited<ReturnType<typeof startAccessWorld>>

const crossSite = {
  error: {
    code: 'cross_site',
    message:
      'This request came from another site; open Omnigent at its own address.',
  },
}

describe('cross-site requests', () => {
  let world: World
  let id: string

  before(async () => {
    world = await startAccessWorld()
    id = await world.sharedSession('Before')
  })
  after(() => world?.server.close())

  async function title(): Promise<string> {
    const row = await world.server.db
      .selectFrom('sessions')
      .select('title')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    return row.title
  }

  function rename(
    headers: Record<string, string | undefined>,
    as = world.people.owner.web,
  ) {
    return world.server.call(
      as,
      'PATCH',
      `/api/sessions/${id}`,
      { title: 'Hijacked' },
      headers,
    )
  }

  test('a cookie change from another origin is refused and changes nothing', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      `${world.server.url}.evil.example`,
    ]) {
      assert.deepEqual(
        await rename({ origin }),
        { status: 403, body: crossSite },
        origin,
      )
    }
    assert.equal(await title(), 'Before')
  })

  test('a cookie change the browser marks as cross-site is refused whatever Origin says', async () => {
    const reply = await rename({
      origin: world.server.url,
      'sec-fetch-site': 'same-site',
    })
    assert.deepEqual(reply, { status: 403, body: crossSite })
    assert.equal(await title(), 'Before')
  })

  test('a cookie change with neither Origin nor Referer is refused', async () => {
    assert.deepEqual(await rename({ origin: undefined }), {
      status: 403,
      body: crossSite,
    })
    assert.equal(await title(), 'Before')
  })

  test('a Referer from another site is refused when Origin is missing', async () => {
    const reply = await rename({
      origin: undefined,
      referer: 'https://evil.example/page',
    })
    assert.deepEqual(reply, { status: 403, body: crossSite })
  })

  test('a cookie change from our own pages goes through, by Origin or Referer', async () => {
    assert.equal((await rename({})).status, 200)
    const byReferer = await rename({
      origin: undefined,
      referer: `${world.server.url}/sessions/${id}`,
    })
    assert.equal(byReferer.status, 200)
    assert.equal(await title(), 'Hijacked')
  })

  test('identity’s API routes are covered too', async () => {
    const reply = await world.server.call(
      world.people.admin.web,
      'POST',
      '/api/users',
      { email: 'mallory@example.com', password: 'mallory password' },
      { origin: 'https://evil.example' },
    )
    assert.deepEqual(reply, { status: 403, body: crossSite })
  })

  test('reads with the cookie need no Origin', async () => {
    const reply = await world.server.call(
      world.people.owner.web,
      'GET',
      `/api/sessions/${id}`,
      undefined,
      {
        origin: undefined,
      },
    )
    assert.equal(reply.status, 200)
  })

  test('bearer-authenticated changes need no Origin', async () => {
    const reply = await world.server.call(
      world.people.owner.bearer,
      'PATCH',
      `/api/sessions/${id}`,
      { title: 'By the CLI' },
      { origin: 'https://evil.example' },
    )
    assert.equal(reply.status, 200)
    assert.equal(await title(), 'By the CLI')
  })

  test('a live stream opened from another origin is refused', async () => {
    const socket = await world.server.openSocket(
      world.people.owner.web,
      `/api/sessions/${id}/follow`,
      {
        origin: 'https://evil.example',
      },
    )
    assert.deepEqual(socket.refused, {
      status: 404,
      body: {
        error: {
          code: 'not_found',
          message: 'This origin may not open a stream here.',
        },
      },
    })
  })
})

describe('origins on a public URL with a default port', () => {
  let server: TestServer

  before(async () => {
    server = await startTestServer({ publicUrl: 'http://127.0.0.1' })
  })
  after(() => server?.close())

  const someCookie = { cookie: 'omni_session=not-a-session' }

  test('an explicit :80 is the same origin as none, for HTTP and WebSockets', async () => {
    const http = await server.call(
      { kind: 'none' },
      'DELETE',
      '/api/sessions/s_x',
      undefined,
      {
        ...someCookie,
        origin: 'http://127.0.0.1:80',
      },
    )
    assert.equal(http.body.error.code, 'unauthenticated')

    const ws = await server.openSocket({ kind: 'none' }, '/api/nowhere', {
      origin: 'http://127.0.0.1:80',
    })
    assert.deepEqual(ws.refused?.body, {
      error: { code: 'not_found', message: 'Not found.' },
    })
  })

  test('another port is another origin', async () => {
    const http = await server.call(
      { kind: 'none' },
      'DELETE',
      '/api/sessions/s_x',
      undefined,
      {
        ...someCookie,
        origin: 'http://127.0.0.1:8080',
      },
    )
    assert.deepEqual(http, { status: 403, body: crossSite })

    const ws = await server.openSocket({ kind: 'none' }, '/api/nowhere', {
      origin: 'http://127.0.0.1:8080',
    })
    assert.equal(
      ws.refused?.body.error.message,
      'This origin may not open a stream here.',
    )
  })
})
