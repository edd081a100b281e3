// People are keyed by (issuer, subject), proven through real sign-ins: a
// changed email changes what is shown, not who owns what; a new subject
// with an email already in use is a new person who inherits nothing. Each
// sign-in is on the access trail, and repeated bearer requests do not
// rewrite the person's row.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { signInWithPassword } from '../../test/support/browser-sign-in.ts'
import { listAudit } from '../storage/audit-store.ts'
import { putGrant, relationOf } from '../storage/grant-store.ts'
import { listHostsByOwner, registerHost } from '../storage/host-store.ts'
import { createSession, listSessionsForUser } from '../storage/session-store.ts'
import { getUserById } from '../storage/user-store.ts'
import { codeFlowTokens } from './code-flow.test-support.ts'
import { addDirectoryUser } from './directory.ts'
import {
  startIdentityServer,
  testWorkspace,
  type IdentityServer,
} from './test-server.ts'

const ws = testWorkspace

describe('people keyed by issuer and subject', () => {
  let server: IdentityServer

  before(async () => {
    server = await startIdentityServer()
  })
  after(async () => {
    await server.close()
  })

  async function webSignIn(person: { email: string; password: string }) {
    const { jar } = await signInWithPassword(
      `${server.publicUrl}/auth/login`,
      person,
    )
    const cookie = jar.header(server.publicUrl)
    return await server.identity.authenticate({ headers: { cookie } } as never)
  }

  async function bearerActor(person: { email: string; password: string }) {
    const tokens = await codeFlowTokens(
      { issuer: server.identity.issuer, clientId: server.identity.cliClientId },
      person,
    )
    const request = {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    } as never
    return { request, actor: await server.identity.authenticate(request) }
  }

  test('an email change updates what is shown, not who owns what', async () => {
    const { db } = server.storage
    const dana = { email: 'dana@example.com', password: 'dana password' }
    const entry = await addDirectoryUser(db, ws, { ...dana, admin: false })
    const before = await webSignIn(dana)
    await registerHost(db, ws, {
      id: 'h_dana',
      ownerId: before.userId,
      name: 'box',
    })
    const session = await createSession(db, ws, {
      ownerId: before.userId,
      hostId: 'h_dana',
      dir: '/src',
      title: 'work',
    })

    // The workspace renames her; her subject stays the same.
    await db
      .updateTable('directory_users')
      .set({ email: 'dana.new@example.com' })
      .where('id', '=', entry.id)
      .execute()
    const after = await webSignIn({ ...dana, email: 'dana.new@example.com' })

    assert.equal(after.userId, before.userId)
    assert.equal(after.email, 'dana.new@example.com')
    assert.equal((await getUserById(db, ws, after.userId))?.email, after.email)
    assert.equal(await relationOf(db, ws, session.id, after.userId), 'owner')
    assert.deepEqual(
      (await listHostsByOwner(db, ws, after.userId)).map((h) => h.id),
      ['h_dana'],
    )
  })

  test('a new subject with an email in use is a different person who inherits nothing', async () => {
    const { db } = server.storage
    const erin = { email: 'erin@example.com', password: 'erin password' }
    const owner = { email: 'owner@example.com', password: 'owner password' }
    const old = await addDirectoryUser(db, ws, { ...erin, admin: false })
    await addDirectoryUser(db, ws, { ...owner, admin: false })
    const first = await webSignIn(erin)
    const sharer = await webSignIn(owner)

    await registerHost(db, ws, {
      id: 'h_erin',
      ownerId: first.userId,
      name: 'box',
    })
    const hers = await createSession(db, ws, {
      ownerId: first.userId,
      hostId: 'h_erin',
      dir: '/src',
      title: 'hers',
    })
    await registerHost(db, ws, {
      id: 'h_owner',
      ownerId: sharer.userId,
      name: 'box',
    })
    const shared = await createSession(db, ws, {
      ownerId: sharer.userId,
      hostId: 'h_owner',
      dir: '/src',
      title: 'shared with erin',
    })
    await putGrant(db, ws, {
      sessionId: shared.id,
      email: erin.email,
      userId: first.userId,
      level: 'edit',
      createdBy: sharer.userId,
    })

    // The workspace removes her and later gives the address to someone new.
    await db.deleteFrom('directory_users').where('id', '=', old.id).execute()
    await addDirectoryUser(db, ws, {
      email: erin.email,
      password: 'newcomer password',
      admin: false,
    })
    const newcomer = await webSignIn({ ...erin, password: 'newcomer password' })

    assert.notEqual(newcomer.userId, first.userId)
    assert.equal(newcomer.email, erin.email)
    assert.deepEqual(await listHostsByOwner(db, ws, newcomer.userId), [])
    assert.deepEqual(
      await listSessionsForUser(db, ws, newcomer.userId, 'all'),
      [],
    )
    assert.equal(await relationOf(db, ws, hers.id, newcomer.userId), 'none')
    assert.equal(await relationOf(db, ws, shared.id, newcomer.userId), 'none')
    assert.equal(await relationOf(db, ws, shared.id, first.userId), 'edit')
  })

  test('each web sign-in and the first bearer use of a new person are audited', async () => {
    const { db } = server.storage
    const fay = { email: 'fay@example.com', password: 'fay password' }
    const gus = { email: 'gus@example.com', password: 'gus password' }
    await addDirectoryUser(db, ws, { ...fay, admin: false })
    await addDirectoryUser(db, ws, { ...gus, admin: false })

    const fayActor = await webSignIn(fay)
    await webSignIn(fay)
    const { request, actor: gusActor } = await bearerActor(gus)
    await server.identity.authenticate(request)
    await bearerActor(gus)

    const signIns = (await listAudit(db, ws))
      .filter((entry) => entry.action === 'user.sign-in')
      .map((entry) => [entry.target_id, JSON.parse(entry.detail).method])
    assert.deepEqual(
      signIns.filter(([id]) => id === fayActor.userId),
      [
        [fayActor.userId, 'web'],
        [fayActor.userId, 'web'],
      ],
    )
    assert.deepEqual(
      signIns.filter(([id]) => id === gusActor.userId),
      [[gusActor.userId, 'token']],
    )
  })

  test('repeated bearer requests do not rewrite the person’s row', async () => {
    const { db } = server.storage
    const hal = { email: 'hal@example.com', password: 'hal password' }
    await addDirectoryUser(db, ws, { ...hal, admin: false })
    const { request, actor } = await bearerActor(hal)
    const seen = (await getUserById(db, ws, actor.userId))?.last_seen_at

    await new Promise((resolve) => setTimeout(resolve, 5))
    for (let i = 0; i < 3; i += 1) await server.identity.authenticate(request)

    assert.equal((await getUserById(db, ws, actor.userId))?.last_seen_at, seen)
  })
})
