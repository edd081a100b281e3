import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { putSetting } from '../storage/settings-store.ts'
import { signInWithPassword } from '../../test/support/browser-sign-in.ts'
import { addDirectoryUser, verifyDirectoryPassword } from './directory.ts'
import { checkSetupOpen } from './first-admin.ts'
import {
  startIdentityServer,
  testWorkspace,
  type IdentityServer,
} from './test-server.ts'

const admin = { email: 'root@example.com', password: 'root password' }
const member = { email: 'member@example.com', password: 'member password' }

async function post(
  server: IdentityServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${server.publicUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  return {
    status: response.status,
    headers: response.headers,
    body: await response.json(),
  }
}

async function sessionCookie(server: IdentityServer, who: typeof admin) {
  const { jar } = await signInWithPassword(
    `${server.publicUrl}/auth/login`,
    who,
  )
  return jar.header(server.publicUrl)
}

describe('first-admin setup', () => {
  let server: IdentityServer

  before(async () => {
    server = await startIdentityServer()
  })
  after(async () => {
    await server.close()
  })

  test('a malformed body creates nobody', async () => {
    const response = await post(server, '/api/setup', {
      ...admin,
      role: 'root',
    })

    assert.equal(response.status, 400)
    assert.equal(response.body.error.code, 'invalid_input')
    assert.match(
      response.body.error.message,
      /^Invalid body: Unrecognized key: "role"/,
    )
    assert.equal(await server.identity.isDirectoryEmpty(), true)
  })

  test('setup cannot create a first user who is not an admin', async () => {
    const response = await post(server, '/api/setup', {
      ...admin,
      admin: false,
    })

    assert.equal(response.status, 400)
    assert.equal(response.body.error.code, 'invalid_input')
    assert.match(response.body.error.message, /^Invalid admin: /)
    assert.equal(await server.identity.isDirectoryEmpty(), true)
  })

  test('a too-short password creates nobody', async () => {
    const response = await post(server, '/api/setup', {
      email: admin.email,
      password: 'short',
    })

    assert.equal(response.status, 400)
    assert.deepEqual(response.body.error, {
      code: 'invalid_input',
      message: 'The password must be at least 8 characters.',
    })
    assert.equal(await server.identity.isDirectoryEmpty(), true)
  })

  test('a local caller creates the first admin once, and only once', async () => {
    const created = await post(server, '/api/setup', { ...admin, admin: true })
    assert.equal(created.status, 201)
    assert.deepEqual(created.body, { email: admin.email, admin: true })

    const again = await post(server, '/api/setup', {
      email: 'second@example.com',
      password: 'second password',
    })
    assert.equal(again.status, 403)
    assert.deepEqual(again.body.error, {
      code: 'setup_closed',
      message: 'This workspace already has an admin.',
    })
    const second = await verifyDirectoryPassword(
      server.storage.db,
      testWorkspace,
      'second@example.com',
      'second password',
    )
    assert.equal(second, undefined)
  })

  test('setup is refused to a caller that is not on this machine', async () => {
    const fresh = await startIdentityServer()
    try {
      await assert.rejects(
        checkSetupOpen(fresh.storage.db, testWorkspace, '192.0.2.10'),
        {
          code: 'setup_not_local',
          message:
            'The first admin can only be set up from the server machine.',
        },
      )
      await assert.rejects(
        checkSetupOpen(fresh.storage.db, testWorkspace, '::ffff:10.0.0.1'),
        {
          code: 'setup_not_local',
        },
      )
      await checkSetupOpen(fresh.storage.db, testWorkspace, '::ffff:127.0.0.1')
      await checkSetupOpen(fresh.storage.db, testWorkspace, '::1')
    } finally {
      await fresh.close()
    }
  })
})

describe('adding directory users', () => {
  let server: IdentityServer

  before(async () => {
    server = await startIdentityServer()
    await post(server, '/api/setup', admin)
    await addDirectoryUser(server.storage.db, testWorkspace, {
      ...member,
      admin: false,
    })
  })
  after(async () => {
    await server.close()
  })

  const newcomer = { email: 'new@example.com', password: 'newcomer password' }

  test('an anonymous caller is told to sign in, with a Bearer challenge', async () => {
    const response = await post(server, '/api/users', newcomer)

    assert.equal(response.status, 401)
    assert.equal(response.headers.get('www-authenticate'), 'Bearer')
    assert.deepEqual(response.body.error, {
      code: 'unauthenticated',
      message: 'Sign in to continue.',
    })
  })

  test('a garbage bearer token is invalid', async () => {
    const response = await post(server, '/api/users', newcomer, {
      authorization: 'Bearer not.a.jwt',
    })

    assert.equal(response.status, 401)
    assert.equal(
      response.headers.get('www-authenticate'),
      'Bearer error="invalid_token"',
    )
    assert.equal(response.body.error.code, 'token_invalid')
  })

  test('while Omnigent is off, an admin still manages the directory', async () => {
    const cookie = await sessionCookie(server, admin)
    const response = await post(
      server,
      '/api/users',
      { email: 'early@example.com', password: 'early password' },
      { cookie },
    )

    assert.equal(response.status, 201)
    assert.deepEqual(response.body, {
      email: 'early@example.com',
      admin: false,
    })
  })

  test('while Omnigent is off, a member cannot add users', async () => {
    const cookie = await sessionCookie(server, member)
    const response = await post(server, '/api/users', newcomer, { cookie })

    assert.equal(response.status, 403)
    assert.equal(response.body.error.code, 'admin_only')
  })

  test('a member who is not an admin cannot add users', async () => {
    await putSetting(server.storage.db, testWorkspace, 'enabled', 'true')
    const cookie = await sessionCookie(server, member)
    const response = await post(server, '/api/users', newcomer, { cookie })

    assert.equal(response.status, 403)
    assert.deepEqual(response.body.error, {
      code: 'admin_only',
      message: 'Only a workspace admin can do this.',
    })
    const added = await verifyDirectoryPassword(
      server.storage.db,
      testWorkspace,
      newcomer.email,
      newcomer.password,
    )
    assert.equal(added, undefined)
  })

  test('an admin adds a user who can then sign in', async () => {
    await putSetting(server.storage.db, testWorkspace, 'enabled', 'true')
    const cookie = await sessionCookie(server, admin)
    const response = await post(
      server,
      '/api/users',
      { ...newcomer, admin: false },
      { cookie },
    )

    assert.equal(response.status, 201)
    assert.deepEqual(response.body, { email: newcomer.email, admin: false })
    const actor = await server.identity.authenticate({
      headers: { cookie: await sessionCookie(server, newcomer) },
    } as never)
    assert.equal(actor.email, newcomer.email)
    assert.equal(actor.isAdmin, false)
  })

  test('adding an email that exists is a conflict', async () => {
    await putSetting(server.storage.db, testWorkspace, 'enabled', 'true')
    const cookie = await sessionCookie(server, admin)
    const response = await post(server, '/api/users', member, { cookie })

    assert.equal(response.status, 409)
    assert.deepEqual(response.body.error, {
      code: 'conflict',
      message: 'member@example.com is already in the directory.',
    })
  })
})
