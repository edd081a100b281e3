// Every redirect and link the built-in workspace and the web sign-in make
// is on the configured public URL, whatever Host or X-Forwarded-Host a
// request claims.

import assert from 'node:assert/strict'
import { request } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { startIdentityServer, type IdentityServer } from './test-server.ts'

const forged = {
  host: 'evil.example:8443',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
}

function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          ...(res.headers.location ? { location: res.headers.location } : {}),
          body,
        }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

describe('links from the public URL', () => {
  let server: IdentityServer

  before(async () => {
    server = await startIdentityServer()
  })
  after(async () => {
    await server.close()
  })

  test('discovery names only the public origin', async () => {
    const response = await get(
      `${server.publicUrl}/oidc/.well-known/openid-configuration`,
      forged,
    )
    const metadata = JSON.parse(response.body) as Record<string, unknown>

    assert.equal(metadata.issuer, `${server.publicUrl}/oidc`)
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value === 'string' && value.startsWith('http')) {
        assert.ok(value.startsWith(server.publicUrl), `${key}: ${value}`)
      }
    }
    assert.equal(response.body.includes('evil.example'), false)
  })

  test('the sign-in redirect and its return address use the public URL', async () => {
    const login = await get(`${server.publicUrl}/auth/login`, forged)
    const location = new URL(login.location ?? '')

    assert.equal(login.status, 302)
    assert.equal(location.origin, server.publicUrl)
    assert.equal(
      location.searchParams.get('redirect_uri'),
      `${server.publicUrl}/auth/callback`,
    )

    const authorize = await get(location.href, forged)
    assert.equal(authorize.status, 303)
    const interaction = new URL(authorize.location ?? '')
    assert.equal(interaction.origin, server.publicUrl)
    assert.match(interaction.pathname, /^\/oidc\/interaction\/[\w-]+$/)
  })

  test('leaving a sign-out page goes home on the public URL', async () => {
    const response = await fetch(`${server.publicUrl}/auth/logout`, {
      method: 'POST',
      headers: { accept: 'text/html', 'x-forwarded-host': 'evil.example' },
      redirect: 'manual',
    })
    assert.equal(response.status, 303)
    assert.equal(response.headers.get('location'), `${server.publicUrl}/`)
  })
})
