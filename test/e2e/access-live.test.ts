// Access changes take effect at once: a revoked viewer's stream closes, a
// lowered one is told its new level, later requests fail whatever credential
// the person holds, and signing out or revoking an access token ends the
// streams opened with it.
// Timings are reported as diagnostics; the benchmark measures them.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { signInWithPassword } from '../support/browser-sign-in.ts'
import {
  startAccessWorld,
  type Credential,
} from '../../src/server/server.test-support.ts'

type World = Awaited<ReturnType<typeof startAccessWorld>>

describe('live access changes', () => {
  let world: World

  before(async () => {
    world = await startAccessWorld()
  })
  after(() => world?.server.close())

  async function follow(credential: Credential, id: string) {
    const socket = await world.server.openSocket(
      credential,
      `/api/sessions/${id}/follow`,
    )
    assert.equal(socket.refused, undefined, JSON.stringify(socket.refused))
    await socket.waitFor((frame) => frame.type === 'access')
    return socket
  }

  async function grantId(id: string, email: string) {
    const row = await world.server.db
      .selectFrom('grants')
      .select('id')
      .where('session_id', '=', id)
      .where('email', '=', email)
      .executeTakeFirst()
    return row?.id
  }

  test('a revoked viewer’s stream closes and every later request fails', async (t) => {
    const { server, people } = world
    const id = await world.sharedSession()
    const reader = await follow(people.reader.web, id)
    const editor = await follow(people.editor.web, id)

    const started = performance.now()
    const revoked = await server.call(
      people.owner.web,
      'DELETE',
      `/api/sessions/${id}/grants/${people.reader.email}`,
    )
    assert.equal(revoked.status, 204)
    const closed = await reader.waitClosed()
    t.diagnostic(`revoke to close: ${(closed.at - started).toFixed(1)} ms`)

    assert.deepEqual([closed.code, closed.reason], [4404, 'access revoked'])
    assert.equal(editor.isOpen, true)
    for (const credential of [people.reader.web, people.reader.bearer]) {
      const detail = await server.call(credential, 'GET', `/api/sessions/${id}`)
      assert.deepEqual(detail.body, {
        error: { code: 'not_found', message: 'Not found.' },
      })
      const again = await server.openSocket(
        credential,
        `/api/sessions/${id}/follow`,
      )
      assert.equal(again.refused?.status, 404)
    }
    editor.close()
  })

  test('a viewer lowered from Edit to Read is told at once and can no longer send', async () => {
    const { server, people } = world
    const id = await world.sharedSession()
    const editor = await follow(people.editor.web, id)
    assert.deepEqual(editor.frames.at(0), { type: 'access', level: 'edit' })

    const lowered = await server.call(
      people.owner.web,
      'PUT',
      `/api/sessions/${id}/grants`,
      {
        email: people.editor.email,
        level: 'read',
      },
    )
    assert.equal(lowered.status, 200)
    await editor.waitFor(
      (frame) => frame.type === 'access' && frame.level === 'read',
    )
    assert.equal(editor.isOpen, true)

    for (const credential of [people.editor.web, people.editor.bearer]) {
      const sent = await server.call(
        credential,
        'POST',
        `/api/sessions/${id}/messages`,
        { text: 'still here?' },
      )
      assert.deepEqual(sent, {
        status: 403,
        body: {
          error: { code: 'needs_edit', message: 'This needs Edit access.' },
        },
      })
    }
    editor.close()
  })

  test('sharing again makes a fresh grant and revives no old stream', async () => {
    const { server, people } = world
    const id = await world.sharedSession()
    const oldGrant = await grantId(id, people.reader.email)
    const old = await follow(people.reader.web, id)

    await server.call(
      people.owner.web,
      'DELETE',
      `/api/sessions/${id}/grants/${people.reader.email}`,
    )
    await old.waitClosed()
    const shared = await server.call(
      people.owner.web,
      'PUT',
      `/api/sessions/${id}/grants`,
      {
        email: people.reader.email,
        level: 'read',
      },
    )
    assert.equal(shared.status, 200)

    const newGrant = await grantId(id, people.reader.email)
    assert.ok(oldGrant && newGrant && newGrant !== oldGrant)
    assert.equal(old.isOpen, false)
    const fresh = await follow(people.reader.web, id)
    assert.deepEqual(fresh.frames.at(0), { type: 'access', level: 'read' })
    assert.equal(old.isOpen, false)
    fresh.close()
  })

  test('leaving closes the leaver’s own streams; deleting closes everyone’s', async () => {
    const { server, people } = world
    const id = await world.sharedSession()
    const reader = await follow(people.reader.web, id)
    const editor = await follow(people.editor.web, id)
    const owner = await follow(people.owner.web, id)

    assert.equal(
      (
        await server.call(
          people.reader.web,
          'POST',
          `/api/sessions/${id}/leave`,
        )
      ).status,
      204,
    )
    assert.equal((await reader.waitClosed()).code, 4404)
    assert.equal(editor.isOpen, true)

    assert.equal(
      (await server.call(people.owner.web, 'DELETE', `/api/sessions/${id}`))
        .status,
      204,
    )
    for (const socket of [editor, owner]) {
      assert.deepEqual(
        await socket.waitClosed().then((c) => [c.code, c.reason]),
        [4410, 'session deleted'],
      )
    }
    const grants = await server.db
      .selectFrom('grants')
      .select('id')
      .where('session_id', '=', id)
      .execute()
    assert.deepEqual(grants, [])
  })

  test('signing out on the web closes the streams opened with that sign-in only, as any request is refused', async () => {
    const { server, people } = world
    const id = await world.sharedSession()
    const second = await signInWithPassword(`${server.url}/auth/login`, {
      email: people.reader.email,
      password: people.reader.password,
    })
    const secondWeb: Credential = { kind: 'cookie', jar: second.jar }
    const ending = await follow(secondWeb, id)
    const otherTab = await follow(people.reader.web, id)
    const cli = await follow(people.reader.bearer, id)

    const logout = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: {
        cookie: second.jar.header(`${server.url}/auth/logout`),
        origin: server.url,
      },
    })
    assert.equal(logout.status, 204)
    assert.deepEqual(
      await ending.waitClosed().then((c) => [c.code, c.reason]),
      [4401, 'Sign in to continue.'],
    )

    assert.equal(otherTab.isOpen, true)
    assert.equal(cli.isOpen, true)
    const after = await server.call(secondWeb, 'GET', `/api/sessions/${id}`)
    assert.equal(after.status, 401)
    otherTab.close()
    cli.close()
  })

  test('revoking an access token closes the streams opened with it only, in the catalog’s words', async () => {
    const { server, people } = world
    const id = await world.sharedSession()
    const made = await server.call(people.reader.web, 'POST', '/api/tokens', {
      name: 'follower',
    })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    const { id: tokenId, token } = made.body as { id: string; token: string }
    const pat: Credential = { kind: 'bearer', token }
    const ending = await follow(pat, id)
    const web = await follow(people.reader.web, id)
    const cli = await follow(people.reader.bearer, id)

    const revoked = await server.call(
      people.reader.web,
      'DELETE',
      `/api/tokens/${tokenId}`,
    )
    assert.equal(revoked.status, 204)
    assert.deepEqual(
      await ending.waitClosed().then((c) => [c.code, c.reason]),
      [4401, 'The credential was revoked.'],
    )

    assert.equal(web.isOpen, true)
    assert.equal(cli.isOpen, true)
    const again = await server.openSocket(pat, `/api/sessions/${id}/follow`)
    assert.equal(again.refused?.status, 401)
    web.close()
    cli.close()
  })
})
