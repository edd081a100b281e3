import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import * as client from 'openid-client'
import { createLogger } from '../core/log.ts'
import { openDatabase } from '../storage/database.ts'
import {
  completeDeviceCode,
  signInWithPassword,
} from '../../test/support/browser-sign-in.ts'
import { addDirectoryUser } from './directory.ts'
import { createIdentity } from './index.ts'
import {
  freePort,
  startIdentityServer,
  testWorkspace,
  type IdentityServer,
} from './test-server.ts'

describe('the built-in workspace issuer', () => {
  let server: IdentityServer

  before(async () => {
    server = await startIdentityServer()
  })
  after(async () => {
    await server.close()
  })

  test('publishes a discovery document for the issuer under /oidc', async () => {
    const response = await fetch(
      `${server.publicUrl}/oidc/.well-known/openid-configuration`,
    )
    const document = await response.json()

    assert.equal(server.identity.issuer, `${server.publicUrl}/oidc`)
    assert.equal(server.identity.cliClientId, 'omnigent-cli')
    assert.equal(server.identity.builtin, true)
    assert.equal(document.issuer, server.identity.issuer)
    assert.equal(document.jwks_uri, `${server.publicUrl}/oidc/jwks`)
    assert.equal(document.token_endpoint, `${server.publicUrl}/oidc/token`)
    assert.equal(
      document.device_authorization_endpoint,
      `${server.publicUrl}/oidc/device/auth`,
    )
    assert.deepEqual(document.code_challenge_methods_supported, ['S256'])
    assert.deepEqual(document.response_types_supported, ['code'])
    assert.ok(
      document.grant_types_supported.includes(
        'urn:ietf:params:oauth:grant-type:device_code',
      ),
    )
    assert.ok(document.revocation_endpoint)
    assert.ok(document.end_session_endpoint)
  })

  test('serves its public signing key and never the private part', async () => {
    const response = await fetch(`${server.publicUrl}/oidc/jwks`)
    const { keys } = await response.json()

    assert.equal(keys.length, 1)
    assert.equal(keys[0].alg, 'RS256')
    assert.equal(keys[0].d, undefined)
    assert.equal(keys[0].p, undefined)
  })

  test('endpoint URLs stay on the public origin whatever Host a request names', async () => {
    const response = await fetch(
      `${server.publicUrl}/oidc/.well-known/openid-configuration`,
      { headers: { 'x-forwarded-host': 'evil.example' } },
    )
    const document = await response.json()
    assert.equal(document.token_endpoint, `${server.publicUrl}/oidc/token`)
  })

  test('an interaction page opened without its cookie says it expired', async () => {
    const response = await fetch(`${server.publicUrl}/oidc/interaction/made-up`)

    assert.equal(response.status, 400)
    assert.match(await response.text(), /This sign-in has expired/)
  })
})

describe('the built-in workspace across a restart', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omni-identity-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('keeps its keys, web sessions and refresh tokens', async () => {
    const storage = await openDatabase({ sqlitePath: join(dir, 'omni.db') })
    const port = await freePort()
    const person = { email: 'kept@example.com', password: 'kept password' }
    await addDirectoryUser(storage.db, testWorkspace, {
      ...person,
      admin: false,
    })

    const first = await startIdentityServer({ storage, port })
    const { jar } = await signInWithPassword(
      `${first.publicUrl}/auth/login`,
      person,
    )
    const config = await client.discovery(
      new URL(first.identity.issuer),
      first.identity.cliClientId,
      undefined,
      client.None(),
      { execute: [client.allowInsecureRequests] },
    )
    const device = await client.initiateDeviceAuthorization(config, {
      scope: 'openid email offline_access',
    })
    await completeDeviceCode(device.verification_uri, device.user_code, person)
    const tokens = await client.pollDeviceAuthorizationGrant(config, {
      ...device,
      interval: 0,
    })
    const jwks = await (await fetch(`${first.publicUrl}/oidc/jwks`)).json()
    await first.close()

    const second = await startIdentityServer({ storage, port })
    try {
      const jwksAfter = await (
        await fetch(`${second.publicUrl}/oidc/jwks`)
      ).json()
      assert.deepEqual(jwksAfter, jwks)

      const byCookie = await second.identity.authenticate({
        headers: { cookie: jar.header(second.publicUrl) },
      } as never)
      assert.equal(byCookie.email, person.email)

      const byToken = await second.identity.authenticate({
        headers: { authorization: `Bearer ${tokens.access_token}` },
      } as never)
      assert.equal(byToken.userId, byCookie.userId)

      assert.ok(tokens.refresh_token)
      const refreshed = await client.refreshTokenGrant(
        config,
        tokens.refresh_token,
      )
      assert.ok(refreshed.access_token)
    } finally {
      await second.close()
      await storage.close()
    }
  })
})

describe('createIdentity options', () => {
  test('a publicUrl that is not a bare http(s) origin fails naming the option', async () => {
    const storage = await openDatabase({ sqlitePath: ':memory:' })
    try {
      for (const publicUrl of [
        'localhost:6767',
        'ftp://example.com',
        'https://example.com/omni',
        'https://example.com/?x=1',
      ]) {
        await assert.rejects(
          createIdentity({
            storage,
            workspaceId: 'ws',
            publicUrl,
            log: createLogger('test', { level: 'silent' }),
          }),
          {
            name: 'TypeError',
            message:
              'createIdentity: publicUrl must be an absolute http(s) URL with no path',
          },
        )
      }
    } finally {
      await storage.close()
    }
  })

  test('a trailing slash on publicUrl is dropped', async () => {
    const storage = await openDatabase({ sqlitePath: ':memory:' })
    try {
      const identity = await createIdentity({
        storage,
        workspaceId: 'ws',
        publicUrl: 'https://omni.example.com/',
        log: createLogger('test', { level: 'silent' }),
      })
      assert.equal(identity.issuer, 'https://omni.example.com/oidc')
    } finally {
      await storage.close()
    }
  })
})
