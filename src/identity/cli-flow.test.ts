// The CLI's sign-in, as `omni login` does it: the authorization code grant
// with PKCE and a loopback redirect on a random port (RFC 8252), and the
// device authorization grant (RFC 8628), against the built-in workspace.

import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { decodeJwt } from 'jose'
import * as client from 'openid-client'
import {
  completeDeviceCode,
  signInWithPassword,
} from '../../test/support/browser-sign-in.ts'
import { addDirectoryUser } from './directory.ts'
import {
  startIdentityServer,
  testWorkspace,
  type IdentityServer,
} from './test-server.ts'

const member = { email: 'member@example.com', password: 'member password' }

function bearer(token: string) {
  return { headers: { authorization: `Bearer ${token}` } } as never
}

async function cliConfig(server: IdentityServer) {
  return await client.discovery(
    new URL(server.identity.issuer),
    server.identity.cliClientId,
    undefined,
    client.None(),
    { execute: [client.allowInsecureRequests] },
  )
}

/** A CLI's loopback listener: resolves with the URL the browser lands on. */
async function loopbackListener(): Promise<{
  redirectUri: string
  landed: Promise<URL>
  server: Server
}> {
  let resolve!: (url: URL) => void
  const landed = new Promise<URL>((r) => (resolve = r))
  const server = createServer((req, res) => {
    resolve(new URL(req.url ?? '/', 'http://127.0.0.1'))
    res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { redirectUri: `http://127.0.0.1:${port}/callback`, landed, server }
}

async function signInAsCli(server: IdentityServer) {
  const config = await cliConfig(server)
  const loopback = await loopbackListener()
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()

  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: loopback.redirectUri,
    scope: 'openid email offline_access',
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  })

  try {
    const browser = await signInWithPassword(authorizationUrl.href, member)
    assert.equal(await browser.response.text(), 'signed in')

    const callbackUrl = await loopback.landed
    const callback = new URL(loopback.redirectUri)
    callback.search = callbackUrl.search
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    })
    return { config, tokens }
  } finally {
    loopback.server.close()
  }
}

describe('CLI sign-in against the built-in workspace', () => {
  let server: IdentityServer

  before(async () => {
    server = await startIdentityServer()
    await addDirectoryUser(server.storage.db, testWorkspace, {
      ...member,
      admin: false,
    })
  })
  after(async () => {
    await server.close()
  })

  test('the code flow with PKCE and a loopback port gives an API access token', async () => {
    const { tokens } = await signInAsCli(server)

    const claims = decodeJwt(tokens.access_token)
    assert.equal(claims.aud, `${server.publicUrl}/api`)
    assert.equal(claims.iss, `${server.publicUrl}/oidc`)
    assert.equal(claims.email, member.email)
    assert.equal(claims.email_verified, true)
    assert.deepEqual(claims.groups, [])
    assert.equal(typeof tokens.refresh_token, 'string')

    const actor = await server.identity.authenticate(
      bearer(tokens.access_token),
    )
    assert.equal(actor.email, member.email)
    assert.equal(actor.isAdmin, false)
  })

  test('a refresh gives a new access token and retires the old refresh token', async () => {
    const { config, tokens } = await signInAsCli(server)
    const first = tokens.refresh_token
    assert.ok(first)

    const refreshed = await client.refreshTokenGrant(config, first)
    assert.ok(refreshed.refresh_token)
    assert.notEqual(refreshed.refresh_token, first)
    const actor = await server.identity.authenticate(
      bearer(refreshed.access_token),
    )
    assert.equal(actor.email, member.email)

    await assert.rejects(client.refreshTokenGrant(config, first), {
      error: 'invalid_grant',
    })
  })

  test('a revoked refresh token no longer refreshes', async () => {
    const { config, tokens } = await signInAsCli(server)
    assert.ok(tokens.refresh_token)

    await client.tokenRevocation(config, tokens.refresh_token)

    await assert.rejects(
      client.refreshTokenGrant(config, tokens.refresh_token),
      {
        error: 'invalid_grant',
      },
    )
  })

  test('signing out at the issuer ends the access token at once', async () => {
    const { config, tokens } = await signInAsCli(server)
    const other = await signInAsCli(server)
    assert.ok(tokens.refresh_token)
    assert.equal(
      (await server.identity.authenticate(bearer(tokens.access_token))).email,
      member.email,
    )

    // What `omni logout` does: revoke the refresh token (RFC 7009), which
    // ends its grant, and with it every access token minted from it.
    await client.tokenRevocation(config, tokens.refresh_token)

    await assert.rejects(
      server.identity.authenticate(bearer(tokens.access_token)),
      { code: 'token_revoked', message: 'The credential was revoked.' },
    )
    const stillSignedIn = await server.identity.authenticate(
      bearer(other.tokens.access_token),
    )
    assert.equal(stillSignedIn.email, member.email)
  })

  test('a replayed refresh token ends every access token of its grant', async () => {
    const { config, tokens } = await signInAsCli(server)
    assert.ok(tokens.refresh_token)
    const refreshed = await client.refreshTokenGrant(
      config,
      tokens.refresh_token,
    )

    // Reuse of a rotated refresh token means it was stolen (RFC 9700
    // §4.14.2): the provider revokes the whole grant.
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token))

    for (const token of [tokens.access_token, refreshed.access_token]) {
      await assert.rejects(server.identity.authenticate(bearer(token)), {
        code: 'token_revoked',
        message: 'The credential was revoked.',
      })
    }
  })

  test('a redirect to a host other than loopback is refused', async () => {
    const config = await cliConfig(server)
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://attacker.example/callback',
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(
        client.randomPKCECodeVerifier(),
      ),
      code_challenge_method: 'S256',
    })

    const response = await fetch(url, { redirect: 'manual' })
    assert.equal(response.status, 400)
    assert.match(await response.text(), /redirect_uri did not match/)
  })

  test('an authorization request without PKCE is refused', async () => {
    const config = await cliConfig(server)
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:9/callback',
      scope: 'openid email',
    })

    const response = await fetch(url, { redirect: 'manual' })
    const location = new URL(response.headers.get('location') ?? '')
    assert.equal(location.searchParams.get('error'), 'invalid_request')
    assert.equal(
      location.searchParams.get('error_description'),
      'Authorization Server policy requires PKCE to be used for this request',
    )
  })

  test('the device flow signs in a machine without a browser', async () => {
    const config = await cliConfig(server)
    const device = await client.initiateDeviceAuthorization(config, {
      scope: 'openid email offline_access',
    })
    assert.equal(device.verification_uri, `${server.publicUrl}/oidc/device`)

    const page = await completeDeviceCode(
      device.verification_uri,
      device.user_code,
      member,
    )
    assert.match(await page.response.text(), /Device connected/)

    const tokens = await client.pollDeviceAuthorizationGrant(config, {
      ...device,
      interval: 0,
    })
    assert.equal(decodeJwt(tokens.access_token).aud, `${server.publicUrl}/api`)
    assert.equal(typeof tokens.refresh_token, 'string')
    const actor = await server.identity.authenticate(
      bearer(tokens.access_token),
    )
    assert.equal(actor.email, member.email)
  })

  test('a wrong device code is refused on the page', async () => {
    const config = await cliConfig(server)
    const device = await client.initiateDeviceAuthorization(config, {
      scope: 'openid email',
    })

    const page = await completeDeviceCode(
      device.verification_uri,
      'BCDF-GHJK',
      member,
    )
    assert.match(await page.response.text(), /That code is not valid/)
  })

  test('a tampered access token is refused as invalid', async () => {
    const { tokens } = await signInAsCli(server)
    const [header, payload, signature] = tokens.access_token.split('.')
    const claims = JSON.parse(
      Buffer.from(payload ?? '', 'base64url').toString(),
    )
    const forged = Buffer.from(
      JSON.stringify({ ...claims, groups: ['admins'] }),
    ).toString('base64url')

    await assert.rejects(
      server.identity.authenticate(bearer(`${header}.${forged}.${signature}`)),
      { code: 'token_invalid', message: 'The credential is not valid.' },
    )
  })

  test('an ID token presented as a bearer token is refused for its audience', async () => {
    const { tokens } = await signInAsCli(server)
    assert.ok(tokens.id_token)
    assert.equal(decodeJwt(tokens.id_token).aud, server.identity.cliClientId)

    await assert.rejects(
      server.identity.authenticate(bearer(tokens.id_token)),
      { code: 'token_invalid', message: 'The credential is not valid.' },
    )
  })
})
