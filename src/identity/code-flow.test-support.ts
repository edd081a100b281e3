// A relying party's side of the authorization code flow with PKCE, for tests
// that need a client's own tokens from the built-in workspace: a loopback
// listener catches the redirect and openid-client redeems the code.

import { createServer, type Server } from 'node:http'
import * as client from 'openid-client'
import {
  signInWithPassword,
  type Credentials,
} from '../../test/support/browser-sign-in.ts'

export interface Loopback {
  redirectUri: string
  landed: Promise<URL>
  server: Server
}

/** Listens on 127.0.0.1; resolves `landed` with the URL the browser hits. */
export async function loopbackListener(port = 0): Promise<Loopback> {
  let resolve!: (url: URL) => void
  const landed = new Promise<URL>((r) => (resolve = r))
  const server = createServer((req, res) => {
    resolve(new URL(req.url ?? '/', 'http://127.0.0.1'))
    res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in')
  })
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  const address = server.address()
  const bound = typeof address === 'object' && address ? address.port : 0
  return { redirectUri: `http://127.0.0.1:${bound}/callback`, landed, server }
}

export interface ClientIdentity {
  issuer: string
  clientId: string
  /** Absent for a public client. */
  clientSecret?: string
}

export async function discover(who: ClientIdentity) {
  return await client.discovery(
    new URL(who.issuer),
    who.clientId,
    undefined,
    who.clientSecret === undefined
      ? client.None()
      : client.ClientSecretBasic(who.clientSecret),
    { execute: [client.allowInsecureRequests] },
  )
}

/** Signs `person` in as `who` and returns the token response. */
export async function codeFlowTokens(
  who: ClientIdentity,
  person: Credentials,
  loopback?: Loopback,
) {
  const config = await discover(who)
  const listener = loopback ?? (await loopbackListener())
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()

  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: listener.redirectUri,
    scope: 'openid email offline_access',
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  })
  try {
    await signInWithPassword(url.href, person)
    const landed = await listener.landed
    const callback = new URL(listener.redirectUri)
    callback.search = landed.search
    return await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    })
  } finally {
    listener.server.close()
  }
}
