// A second server signs people in through the first server's built-in
// workspace, configured exactly as an external issuer would be: discovery,
// a confidential client, JWKS for bearer JWTs and userinfo for opaque ones.

import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { decodeJwt } from 'jose'
import { signInWithPassword } from '../../test/support/browser-sign-in.ts'
import { codeFlowTokens, loopbackListener } from './code-flow.test-support.ts'
import { listAudit } from '../storage/audit-store.ts'
import { addDirectoryUser } from './directory.ts'
import { resolveIdentityConfig } from './identity-config.ts'
import {
  freePort,
  startIdentityServer,
  testWorkspace,
  type IdentityServer,
} from './test-server.ts'

const admin = { email: 'boss@example.com', password: 'boss password' }
const member = { email: 'member@example.com', password: 'member password' }
const secrets = {
  second: 'second-server-client-secret',
  opaque: 'opaque-app-client-secret',
}

function bearer(token: string) {
  return { headers: { authorization: `Bearer ${token}` } } as never
}

describe('a server whose workspace is another issuer', () => {
  let first: IdentityServer
  let second: IdentityServer
  let opaqueLoopback: Awaited<ReturnType<typeof loopbackListener>>

  before(async () => {
    const secondPort = await freePort()
    const secondUrl = `http://127.0.0.1:${secondPort}`
    opaqueLoopback = await loopbackListener()

    const dir = mkdtempSync(join(tmpdir(), 'omni-external-'))
    const secretFile = join(dir, 'client-secret')
    writeFileSync(secretFile, secrets.second)
    writeFileSync(join(dir, 'opaque-secret'), secrets.opaque)

    // The first server's provider registers the second server as a
    // confidential client, the way a deployment registers Omnigent.
    const firstPort = await freePort()
    const firstUrl = `http://127.0.0.1:${firstPort}`
    first = await startIdentityServer({
      port: firstPort,
      config: resolveIdentityConfig({
        file: {
          builtin: {
            clients: [
              {
                clientId: 'omnigent-second',
                clientSecretFile: secretFile,
                redirectUris: [`${secondUrl}/auth/callback`],
              },
              {
                clientId: 'opaque-app',
                clientSecretFile: join(dir, 'opaque-secret'),
                redirectUris: [opaqueLoopback.redirectUri],
                opaqueAccessTokens: true,
              },
            ],
          },
        },
        env: {},
        publicUrl: firstUrl,
      }),
    })
    await addDirectoryUser(first.storage.db, testWorkspace, {
      ...admin,
      admin: true,
    })
    await addDirectoryUser(first.storage.db, testWorkspace, {
      ...member,
      admin: false,
    })

    second = await startIdentityServer({
      port: secondPort,
      config: resolveIdentityConfig({
        file: {
          workspace: {
            issuer: first.identity.issuer,
            clientId: 'omnigent-second',
            scopes: ['openid', 'email'],
            apiAudience: `${firstUrl}/api`,
            cliClientId: 'omnigent-cli',
          },
        },
        env: { OMNI_OIDC_CLIENT_SECRET_FILE: secretFile },
        publicUrl: secondUrl,
      }),
    })
  })
  after(async () => {
    await second.close()
    await first.close()
  })

  test('tells clients which issuer and CLI client to use', () => {
    assert.equal(second.identity.builtin, false)
    assert.equal(second.identity.issuer, `${first.publicUrl}/oidc`)
    assert.equal(second.identity.cliClientId, 'omnigent-cli')
  })

  test('a person signs in on the web through the other issuer', async () => {
    const { finalUrl, jar } = await signInWithPassword(
      `${second.publicUrl}/auth/login?returnTo=/hosts`,
      admin,
    )
    assert.equal(finalUrl, `${second.publicUrl}/hosts`)

    const cookie = jar.header(second.publicUrl)
    const actor = await second.identity.authenticate({
      headers: { cookie },
    } as never)
    assert.equal(actor.email, admin.email)
    assert.equal(actor.isAdmin, true)

    const row = await second.storage.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', actor.userId)
      .executeTakeFirstOrThrow()
    assert.equal(row.issuer, first.identity.issuer)
  })

  test('signing out sends the browser on to end the issuer’s sign-in too', async () => {
    const endSession = `${first.identity.issuer}/session/end`
    const signOut = async (accept: string) => {
      const { jar } = await signInWithPassword(
        `${second.publicUrl}/auth/login`,
        member,
      )
      return await fetch(`${second.publicUrl}/auth/logout`, {
        method: 'POST',
        headers: {
          cookie: jar.header(second.publicUrl),
          origin: second.publicUrl,
          accept,
        },
        redirect: 'manual',
      })
    }
    const expectEndSession = (href: string | null | undefined) => {
      const url = new URL(href ?? '')
      assert.equal(`${url.origin}${url.pathname}`, endSession)
      assert.deepEqual(Object.fromEntries(url.searchParams), {
        post_logout_redirect_uri: `${second.publicUrl}/`,
        client_id: 'omnigent-second',
      })
    }

    const form = await signOut('text/html')
    assert.equal(form.status, 303)
    expectEndSession(form.headers.get('location'))

    const app = await signOut('application/json')
    assert.equal(app.status, 200)
    expectEndSession((await app.json()).signOutUrl)
  })

  test('the issuer’s JWT access tokens are accepted as bearer tokens', async () => {
    const tokens = await codeFlowTokens(
      { issuer: first.identity.issuer, clientId: 'omnigent-cli' },
      member,
    )
    assert.equal(decodeJwt(tokens.access_token).aud, `${first.publicUrl}/api`)

    const actor = await second.identity.authenticate(
      bearer(tokens.access_token),
    )
    assert.equal(actor.email, member.email)
    assert.equal(actor.isAdmin, false)
  })

  test('a CLI sign-in at the other issuer is on this server’s trail once, as the CLI reports it', async () => {
    const carol = { email: 'carol@example.com', password: 'carol password' }
    await addDirectoryUser(first.storage.db, testWorkspace, {
      ...carol,
      admin: false,
    })
    const tokens = await codeFlowTokens(
      { issuer: first.identity.issuer, clientId: 'omnigent-cli' },
      carol,
    )
    const call = (path: string, body?: unknown) =>
      fetch(`${second.publicUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${tokens.access_token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      })

    const signedIn = await call('/api/me/sign-ins', { method: 'cli' })
    assert.equal(signedIn.status, 201)
    assert.deepEqual(await signedIn.json(), {
      email: carol.email,
      isAdmin: false,
      enabled: false,
    })
    assert.equal(
      (await call('/api/me/sign-ins', { method: 'cli' })).status,
      201,
    )
    assert.equal((await call('/api/me/sign-outs')).status, 204)

    const trail = await listAudit(second.storage.db, testWorkspace)
    const carols = trail.filter((entry) => entry.actor_email === carol.email)
    assert.deepEqual(
      carols.map((entry) => [entry.action, JSON.parse(entry.detail)]),
      [
        ['user.sign-in', { method: 'cli' }],
        ['user.sign-out', { method: 'cli' }],
      ],
    )
    assert.ok(!JSON.stringify(trail).includes(tokens.access_token))
  })

  test('a sign-in report names its flow, or is refused', async () => {
    const tokens = await codeFlowTokens(
      { issuer: first.identity.issuer, clientId: 'omnigent-cli' },
      member,
    )
    const before = await listAudit(second.storage.db, testWorkspace)

    const response = await fetch(`${second.publicUrl}/api/me/sign-ins`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ method: 'web' }),
    })

    assert.equal(response.status, 400)
    assert.deepEqual(await response.json(), {
      error: {
        code: 'invalid_input',
        message: 'Invalid method: expected "cli" or "device".',
      },
    })
    assert.deepEqual(await listAudit(second.storage.db, testWorkspace), before)
  })

  test('an opaque access token is vouched for by the issuer’s userinfo', async () => {
    const tokens = await codeFlowTokens(
      {
        issuer: first.identity.issuer,
        clientId: 'opaque-app',
        clientSecret: secrets.opaque,
      },
      member,
      opaqueLoopback,
    )
    assert.equal(tokens.access_token.split('.').length, 1)

    const actor = await second.identity.authenticate(
      bearer(tokens.access_token),
    )
    assert.equal(actor.email, member.email)

    await assert.rejects(
      second.identity.authenticate(bearer('made-up-opaque-token')),
      { code: 'token_invalid', message: 'The credential is not valid.' },
    )
  })

  test('the directory routes say people are added at the issuer', async () => {
    const response = await fetch(`${second.publicUrl}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    })
    assert.equal(response.status, 400)
    assert.deepEqual(await response.json(), {
      error: {
        code: 'invalid_input',
        message:
          'This server signs people in through an external workspace; add people there.',
      },
    })
  })

  test('the sign-in redirect is built from the public URL, never the Host header', async () => {
    const response = await rawGet(`${second.publicUrl}/auth/login`, {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
    })
    const location = new URL(response.location ?? '')

    assert.equal(response.status, 302)
    assert.equal(location.origin, first.publicUrl)
    assert.equal(
      location.searchParams.get('redirect_uri'),
      `${second.publicUrl}/auth/callback`,
    )
  })
})

/** A GET with headers fetch will not send (Host). */
export function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume()
      resolve({ status: res.statusCode ?? 0, location: res.headers.location })
    })
    req.on('error', reject)
    req.end()
  })
}
