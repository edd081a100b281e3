// `omni login`: find the workspace's issuer, sign in as the public CLI client
// with the authorization code flow and PKCE through a loopback redirect
// (RFC 8252), or with the device authorization grant (RFC 8628) on a machine
// without a browser, then save the tokens under a profile.

import * as client from 'openid-client'
import type { CliSignIn, Me, WorkspaceStatus } from '../protocol/api.ts'
import { ApiClient, apiPaths } from './api-client.ts'
import { CliError, exitCodes } from './cli-error.ts'
import { withCredentialsLock } from './credentials-lock.ts'
import {
  defaultProfileName,
  saveProfile,
  type ProfileRecord,
} from './credentials-store.ts'
import { deviceSignIn } from './device-sign-in.ts'
import { startLoopbackRedirect } from './loopback-redirect.ts'
import { cliScope, describe, oidcConfiguration } from './oidc-client.ts'
import { browserAvailable, openBrowser } from './open-browser.ts'
import { withTokens } from './session-tokens.ts'

export interface LoginOptions {
  home: string
  profileName: string
  /** Canonical, from canonicalWorkspaceUrl. */
  workspaceUrl: string
  device: boolean
  /** Where instructions go; stderr, so stdout stays for results. */
  write: (text: string) => void
  /** Asks whether to use the device flow when there is no browser; absent
   * when nobody is at a terminal to answer. */
  askDevice?: (question: string) => Promise<boolean>
  timeoutMs?: number
}

type Tokens = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers

const defaultTimeoutMs = 5 * 60 * 1000

export async function login(options: LoginOptions): Promise<ProfileRecord> {
  const status = await workspaceStatus(options.workspaceUrl)
  const config = await oidcConfiguration(status.issuer, status.cliClientId)

  const { tokens, method } = await signIn(config, options)
  const me = await reportSignIn(options.workspaceUrl, tokens.access_token, {
    method,
  })

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
  await save(options, record)
  return record
}

/** A profile from a personal access token: checked once at /api/me, then
 * saved with no refresh token and no expiry (the server enforces it). */
export async function loginWithPersonalToken(
  options: Pick<LoginOptions, 'home' | 'profileName' | 'workspaceUrl'>,
  token: string,
): Promise<ProfileRecord> {
  const status = await workspaceStatus(options.workspaceUrl)
  const me = await whoIs(options.workspaceUrl, token)
  const record: ProfileRecord = {
    workspaceUrl: options.workspaceUrl,
    issuer: status.issuer,
    clientId: status.cliClientId,
    accessToken: token,
    email: me.email,
    kind: 'personal-token',
  }
  await save(options, record)
  return record
}

function workspaceStatus(workspaceUrl: string): Promise<WorkspaceStatus> {
  return new ApiClient({ baseUrl: workspaceUrl }).get<WorkspaceStatus>(
    apiPaths.workspace,
  )
}

function whoIs(workspaceUrl: string, accessToken: string): Promise<Me> {
  return new ApiClient({
    baseUrl: workspaceUrl,
    accessToken: async () => accessToken,
  }).get<Me>(apiPaths.me)
}

/** Tells the server about the sign-in just made at the issuer, which it
 * cannot see itself when the issuer is external, so the access trail
 * records it; the answer says who the token is for, as /api/me does. */
function reportSignIn(
  workspaceUrl: string,
  accessToken: string,
  body: CliSignIn,
): Promise<Me> {
  return new ApiClient({
    baseUrl: workspaceUrl,
    accessToken: async () => accessToken,
  }).post<Me>(apiPaths.signIns, body)
}

function save(
  options: Pick<LoginOptions, 'home' | 'profileName'>,
  record: ProfileRecord,
): Promise<void> {
  return withCredentialsLock(options.home, () =>
    saveProfile(options.home, options.profileName, record),
  )
}

/** The browser when there is one; the device flow when asked for, or when
 * there is no usable browser (offered on a terminal, else switched to). */
async function signIn(
  config: client.Configuration,
  options: LoginOptions,
): Promise<{ tokens: Tokens; method: CliSignIn['method'] }> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
  const device = async () => ({
    tokens: await deviceSignIn(config, {
      write: options.write,
      retryCommand: retryCommand(options),
      timeoutMs,
    }),
    method: 'device' as const,
  })

  if (options.device) return await device()
  if (!browserAvailable() && (await offerDevice(options, 'no browser'))) {
    return await device()
  }

  const tokens = await browserSignIn(config, options, timeoutMs)
  if (tokens !== 'no-browser') return { tokens, method: 'cli' }
  return await device()
}

async function offerDevice(
  options: LoginOptions,
  reason: 'no browser' | 'browser failed',
): Promise<boolean> {
  const why =
    reason === 'no browser'
      ? 'No browser found on this machine'
      : 'The browser did not start'
  if (options.askDevice) {
    return await options.askDevice(
      `${why}. Sign in with a code on another device instead?`,
    )
  }
  options.write(`${why}; switching to sign-in with a code (--device).\n`)
  return true
}

/** The exact command that starts this device sign-in again. */
function retryCommand(options: LoginOptions): string {
  const flag =
    options.profileName === defaultProfileName
      ? ''
      : ` --profile ${options.profileName}`
  return `omni login ${options.workspaceUrl} --device${flag}`
}

async function browserSignIn(
  config: client.Configuration,
  options: LoginOptions,
  timeoutMs: number,
): Promise<Tokens | 'no-browser'> {
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
    const opened = openBrowser(url.href).then(async (ok) =>
      ok ? new Promise<never>(() => {}) : ('no-browser' as const),
    )

    const outcome = await withTimeout(
      Promise.race([redirect.callback, opened]),
      timeoutMs,
    )
    if (outcome === 'no-browser') {
      if (await offerDevice(options, 'browser failed')) return 'no-browser'
      return await browserCallback(config, redirect, verifier, state, timeoutMs)
    }
    return await exchange(config, redirect, outcome, verifier, state)
  } finally {
    redirect.close()
  }
}

async function browserCallback(
  config: client.Configuration,
  redirect: Awaited<ReturnType<typeof startLoopbackRedirect>>,
  verifier: string,
  state: string,
  timeoutMs: number,
): Promise<Tokens> {
  const callbackUrl = await withTimeout(redirect.callback, timeoutMs)
  return await exchange(config, redirect, callbackUrl, verifier, state)
}

async function exchange(
  config: client.Configuration,
  redirect: Awaited<ReturnType<typeof startLoopbackRedirect>>,
  callbackUrl: URL,
  verifier: string,
  state: string,
): Promise<Tokens> {
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
