// `omni login`: find the workspace's issuer, sign in as the public CLI client
// with the authorization code flow and PKCE through a loopback redirect
// (RFC 8252), or with the device authorization grant (RFC 8628) on a machine
// without a browser, then save the tokens under a profile.

import * as client from 'openid-client'
import type { Me, WorkspaceStatus } from '../protocol/api.ts'
import { ApiClient, apiPaths } from './api-client.ts'
import { CliError, exitCodes } from './cli-error.ts'
import { saveProfile, type ProfileRecord } from './credentials-store.ts'
import { startLoopbackRedirect } from './loopback-redirect.ts'
import { cliScope, describe, oidcConfiguration } from './oidc-client.ts'
import { openBrowser } from './open-browser.ts'
import { withTokens } from './session-tokens.ts'

export interface LoginOptions {
  home: string
  profileName: string
  /** Canonical, from canonicalWorkspaceUrl. */
  workspaceUrl: string
  device: boolean
  /** Where instructions go; stderr, so stdout stays for results. */
  write: (text: string) => void
  timeoutMs?: number
}

type Tokens = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers

const defaultTimeoutMs = 5 * 60 * 1000

export async function login(options: LoginOptions): Promise<ProfileRecord> {
  const status = await new ApiClient({
    baseUrl: options.workspaceUrl,
  }).get<WorkspaceStatus>(apiPaths.workspace)
  const config = await oidcConfiguration(status.issuer, status.cliClientId)
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs

  const tokens = options.device
    ? await deviceSignIn(config, options, timeoutMs)
    : await browserSignIn(config, options, timeoutMs)

  const me = await new ApiClient({
    baseUrl: options.workspaceUrl,
    accessToken: async () => tokens.access_token,
  }).get<Me>(apiPaths.me)

  const record = withTokens(
    {
      workspaceUrl: options.workspaceUrl,
      issuer: status.issuer,
      clientId: status.cliClientId,
      accessToken: tokens.access_token,
      email: me.email,
    },
    tokens,
  )
  saveProfile(options.home, options.profileName, record)
  return record
}

async function browserSignIn(
  config: client.Configuration,
  options: LoginOptions,
  timeoutMs: number,
): Promise<Tokens> {
  const state = client.randomState()
  const verifier = client.randomPKCECodeVerifier()
  const redirect = await startLoopbackRedirect(state)

  try {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirect.redirectUri,
      scope: cliScope,
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    })

    // The URL sits alone on its own line so a person or a test can take it.
    options.write(
      `Opening your browser to sign in. If it does not open, visit:\n${url.href}\n`,
    )
    openBrowser(url.href)

    const callbackUrl = await withTimeout(redirect.callback, timeoutMs)
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      })
      redirect.finish({ ok: true })
      return tokens
    } catch (error) {
      const reason = describe(error)
      redirect.finish({ ok: false, reason })
      throw new CliError(`Sign-in failed: ${reason}`, exitCodes.auth)
    }
  } finally {
    redirect.close()
  }
}

async function deviceSignIn(
  config: client.Configuration,
  options: LoginOptions,
  timeoutMs: number,
): Promise<Tokens> {
  let grant: client.DeviceAuthorizationResponse
  try {
    grant = await client.initiateDeviceAuthorization(config, {
      scope: cliScope,
    })
  } catch (error) {
    throw new CliError(
      `This workspace does not offer device sign-in: ${describe(error)}`,
      exitCodes.auth,
    )
  }

  const complete = grant.verification_uri_complete
  options.write(
    `To sign in, visit:\n${grant.verification_uri}\n` +
      `and enter the code: ${grant.user_code}\n` +
      (complete ? `Or open:\n${complete}\n` : ''),
  )

  try {
    return await client.pollDeviceAuthorizationGrant(config, grant, undefined, {
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    if (isTimeout(error)) throw timedOut(timeoutMs)
    throw new CliError(`Sign-in failed: ${describe(error)}`, exitCodes.auth)
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(ms)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function timedOut(ms: number): CliError {
  const span =
    ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${ms / 1000} seconds`
  return new CliError(
    `Sign-in timed out after ${span}. Run omni login again.`,
    exitCodes.auth,
  )
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string }).name
  return name === 'TimeoutError' || name === 'AbortError'
}
