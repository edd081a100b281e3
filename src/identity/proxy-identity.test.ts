// Trusted reverse-proxy mode: identity headers count only from the proxy's
// addresses or with its shared secret, and are refused from anyone else.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { listAudit } from '../storage/audit-store.ts'
import { resolveIdentityConfig } from './identity-config.ts'
import {
  freePort,
  startIdentityServer,
  testWorkspace,
  type IdentityServer,
} from './test-server.ts'

const secret = 'a-shared-proxy-secret-0123456789'
const untrusted = {
  code: 'proxy_untrusted',
  message:
    'Identity headers are accepted only from the configured proxy; this request is refused.',
}

function proxied(
  headers: Record<string, string>,
  remoteAddress: string | undefined = '10.1.2.3',
  method = 'GET',
) {
  return { headers, method, socket: { remoteAddress } } as never
}

const ana = {
  'x-forwarded-email': 'Ana@Example.com',
  'x-forwarded-user': '4711@ws-1',
  'x-forwarded-preferred-username': 'ana@example.com',
}

async function proxyServer(proxy: Record<string, unknown>, env = {}) {
  const port = await freePort()
  return await startIdentityServer({
    port,
    config: resolveIdentityConfig({
      file: { proxy },
      env,
      publicUrl: `http://127.0.0.1:${port}`,
    }),
  })
}

describe('identity from a trusted proxy by address', () => {
  let server: IdentityServer

  before(async () => {
    server = await proxyServer({ trustedAddresses: ['10.1.0.0/16'] })
  })
  after(async () => {
    await server.close()
  })

  test('headers from the proxy’s address name the person', async () => {
    const actor = await server.identity.authenticate(
      proxied({ ...ana, 'x-forwarded-groups': 'staff, admins' }),
    )
    assert.equal(actor.email, 'ana@example.com')
    assert.equal(actor.isAdmin, true)
    assert.equal(server.identity.credentialOf(proxied(ana)), undefined)

    const again = await server.identity.authenticate(proxied(ana))
    assert.equal(again.userId, actor.userId)
    assert.equal(again.isAdmin, false)

    const trail = await listAudit(server.storage.db, testWorkspace)
    assert.equal(
      trail.filter((entry) => entry.action === 'user.sign-in').length,
      1,
    )
  })

  test('the same headers from any other address are refused', async () => {
    for (const address of ['10.2.0.1', '127.0.0.1', '::1']) {
      await assert.rejects(
        server.identity.authenticate(proxied(ana, address)),
        untrusted,
      )
    }
    const noAddress = { headers: ana, method: 'GET', socket: {} } as never
    await assert.rejects(server.identity.authenticate(noAddress), untrusted)
    // Even next to a valid credential: headers are never silently ignored.
    await assert.rejects(
      server.identity.authenticate(
        proxied({ ...ana, authorization: 'Bearer omni_pat_x' }, '10.9.9.9'),
      ),
      untrusted,
    )
  })

  test('a change of state from another site through the proxy is refused', async () => {
    await assert.rejects(
      server.identity.authenticate(
        proxied({ ...ana, origin: 'https://evil.example' }, '10.1.2.3', 'POST'),
      ),
      { code: 'cross_site' },
    )
    // An opaque origin (a sandboxed frame, say) names no page of ours.
    await assert.rejects(
      server.identity.authenticate(
        proxied({ ...ana, origin: 'null' }, '10.1.2.3', 'POST'),
      ),
      { code: 'cross_site' },
    )
    const script = await server.identity.authenticate(
      proxied(ana, '10.1.2.3', 'POST'),
    )
    assert.equal(script.email, 'ana@example.com')
  })

  test('headers without an email are refused', async () => {
    await assert.rejects(
      server.identity.authenticate(
        proxied({ 'x-forwarded-user': '4711@ws-1' }),
      ),
      {
        code: 'email_unverified',
        message: 'Your workspace did not share your email address.',
      },
    )
  })

  test('a sign-in with identity headers from elsewhere is refused', async () => {
    // This test's requests come from 127.0.0.1, which is not the proxy.
    const response = await fetch(`${server.publicUrl}/auth/login`, {
      headers: ana,
      redirect: 'manual',
    })
    assert.equal(response.status, 401)
    assert.deepEqual(await response.json(), { error: untrusted })
  })
})

describe('identity from a proxy with a shared secret', () => {
  let server: IdentityServer

  before(async () => {
    server = await proxyServer({}, { OMNI_PROXY_SECRET: secret })
  })
  after(async () => {
    await server.close()
  })

  test('headers with the secret count from any address', async () => {
    const actor = await server.identity.authenticate(
      proxied({ ...ana, 'x-omni-proxy-secret': secret }, '192.0.2.9'),
    )
    assert.equal(actor.email, 'ana@example.com')
  })

  test('a wrong or missing secret is refused', async () => {
    for (const sent of [`${secret}x`, secret.slice(1), '']) {
      await assert.rejects(
        server.identity.authenticate(
          proxied({ ...ana, 'x-omni-proxy-secret': sent }),
        ),
        untrusted,
      )
    }
    await assert.rejects(server.identity.authenticate(proxied(ana)), untrusted)
  })

  test('sign-in behind the proxy goes straight back, on the public URL', async () => {
    const response = await fetch(
      `${server.publicUrl}/auth/login?returnTo=/hosts`,
      {
        headers: {
          ...ana,
          'x-omni-proxy-secret': secret,
          host: 'evil.example',
        },
        redirect: 'manual',
      },
    )
    assert.equal(response.status, 303)
    assert.equal(response.headers.get('location'), `${server.publicUrl}/hosts`)
  })
})

describe('a server with no proxy configured', () => {
  let server: IdentityServer

  before(async () => {
    server = await startIdentityServer()
  })
  after(async () => {
    await server.close()
  })

  test('refuses identity headers instead of ignoring them', async () => {
    await assert.rejects(server.identity.authenticate(proxied(ana)), {
      code: 'proxy_untrusted',
      message:
        'This server takes no identity from request headers (X-Forwarded-Email and the like); remove them or configure the trusted proxy.',
    })
  })
})
