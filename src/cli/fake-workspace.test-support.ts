// A small stand-in for an Omnigent server and its issuer, for the CLI's own
// tests: discovery, an authorization endpoint that signs "alice" in at once,
// a token endpoint that checks PKCE and rotates refresh tokens, and the few
// API routes the tests call. The real server is tested end to end elsewhere.

import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'

export interface FakeWorkspace {
  url: string
  issuer: string
  tokenRequests: URLSearchParams[]
  /** Refresh tokens the issuer will still accept. */
  refreshTokens: Set<string>
  /** Extra API routes: "METHOD /path?query" → [status, body]. */
  routes: Map<string, [number, unknown]>
  /** Plays the follow WebSocket for the next viewer that connects. */
  follow?: (socket: WebSocket, url: URL) => void
  /** Bodies the API received, "METHOD /path" → parsed JSON. */
  received: Map<string, unknown>
  /** What the token endpoint answers to device polls before the tokens,
   * one error code per poll; when empty, one authorization_pending. */
  deviceAnswers: string[]
  /** Fields of GET /api/workspace a test may change. */
  status: { needsSetup: boolean; builtin: boolean }

  /** Makes the API accept this access token, as if the issuer made it. */
  acceptAccessToken(token: string): void
  /** Stops accepting it, as if it had been revoked. */
  forgetAccessToken(token: string): void
  close(): Promise<void>
}

export async function startFakeWorkspace(): Promise<FakeWorkspace> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>()
  const accessTokens = new Set<string>()
  const deviceCodes = new Set<string>()
  const polledOnce = new Set<string>()
  const fake = {
    tokenRequests: [] as URLSearchParams[],
    refreshTokens: new Set<string>(),
    routes: new Map<string, [number, unknown]>(),
    received: new Map<string, unknown>(),
    deviceAnswers: [] as string[],
    status: { needsSetup: false, builtin: true },
  }

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', base)
    const json = (status: number, body: unknown) =>
      response
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify(body))

    if (url.pathname === '/api/workspace') {
      return json(200, {
        enabled: true,
        issuer,
        cliClientId: 'omnigent-cli',
        ...fake.status,
      })
    }

    if (url.pathname === '/oidc/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        device_authorization_endpoint: `${issuer}/device`,
        revocation_endpoint: `${issuer}/revoke`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      })
    }

    if (url.pathname === '/oidc/auth') {
      const code = randomBytes(8).toString('hex')
      const redirectUri = url.searchParams.get('redirect_uri') ?? ''
      codes.set(code, {
        challenge: url.searchParams.get('code_challenge') ?? '',
        redirectUri,
      })
      const back = new URL(redirectUri)
      back.searchParams.set('code', code)
      back.searchParams.set('state', url.searchParams.get('state') ?? '')
      response.writeHead(302, { location: back.href }).end()
      return
    }

    if (url.pathname === '/oidc/token') {
      const form = new URLSearchParams(await readBody(request))
      fake.tokenRequests.push(form)
      return tokenResponse(form, json)
    }

    if (url.pathname === '/oidc/revoke') return json(200, {})

    if (url.pathname === '/oidc/device') {
      const deviceCode = randomBytes(8).toString('hex')
      deviceCodes.add(deviceCode)
      return json(200, {
        device_code: deviceCode,
        user_code: 'WDJB-MJHT',
        verification_uri: `${issuer}/device/verify`,
        expires_in: 600,
        interval: 1,
      })
    }

    const method = request.method ?? 'GET'
    if (method !== 'GET' && url.pathname.startsWith('/api/')) {
      const text = await readBody(request)
      fake.received.set(
        `${method} ${url.pathname}`,
        text ? JSON.parse(text) : null,
      )
    }

    // First-admin setup needs no sign-in; the real server limits it to
    // loopback callers.
    if (url.pathname === '/api/setup') return json(201, {})

    const bearer = request.headers.authorization?.replace(/^Bearer /, '')
    if (!bearer || !accessTokens.has(bearer)) {
      return json(401, {
        error: { code: 'unauthenticated', message: 'Sign in to continue.' },
      })
    }

    if (url.pathname === '/api/me/sign-outs')
      return response.writeHead(204).end()
    if (url.pathname === '/api/me' || url.pathname === '/api/me/sign-ins') {
      return json(url.pathname === '/api/me' ? 200 : 201, {
        email: 'alice@example.com',
        isAdmin: false,
        enabled: true,
      })
    }

    const route = fake.routes.get(
      `${request.method} ${url.pathname}${url.search}`,
    )
    if (route) return json(route[0], route[1])
    json(404, { error: { code: 'not_found', message: 'Not found.' } })
  })

  function tokenResponse(
    form: URLSearchParams,
    json: (status: number, body: unknown) => void,
  ) {
    const grant = form.get('grant_type')
    if (grant === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '')
      codes.delete(form.get('code') ?? '')
      const verifier = form.get('code_verifier') ?? ''
      const challenge = createHash('sha256')
        .update(verifier)
        .digest('base64url')
      if (
        !code ||
        code.challenge !== challenge ||
        code.redirectUri !== form.get('redirect_uri')
      ) {
        return json(400, { error: 'invalid_grant' })
      }
      return json(200, issueTokens())
    }

    if (grant === 'urn:ietf:params:oauth:grant-type:device_code') {
      const code = form.get('device_code') ?? ''
      if (!deviceCodes.has(code)) return json(400, { error: 'invalid_grant' })
      const scripted = fake.deviceAnswers.shift()
      if (scripted) return json(400, { error: scripted })
      // The person approves between the first poll and the second.
      if (!polledOnce.has(code)) {
        polledOnce.add(code)
        return json(400, { error: 'authorization_pending' })
      }
      deviceCodes.delete(code)
      return json(200, issueTokens())
    }

    if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? ''
      if (!fake.refreshTokens.delete(presented)) {
        return json(400, { error: 'invalid_grant' })
      }
      return json(200, issueTokens())
    }
    json(400, { error: 'unsupported_grant_type' })
  }

  function issueTokens() {
    const access = `at-${randomBytes(6).toString('hex')}`
    const refresh = `rt-${randomBytes(6).toString('hex')}`
    accessTokens.add(access)
    fake.refreshTokens.add(refresh)
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: refresh,
    }
  }

  const wss = new WebSocketServer({ noServer: true })
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', base)
    const bearer = request.headers.authorization?.replace(/^Bearer /, '')
    if (!bearer || !accessTokens.has(bearer) || !result.follow) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n')
      return
    }
    const play = result.follow
    wss.handleUpgrade(request, socket, head, (ws) => play(ws, url))
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const issuer = `${base}/oidc`

  const result: FakeWorkspace = {
    url: base,
    issuer,
    ...fake,
    acceptAccessToken: (token) => void accessTokens.add(token),
    forgetAccessToken: (token) => void accessTokens.delete(token),
    close: () =>
      new Promise<void>((resolve) => {
        wss.close()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return result
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}
