// The device authorization grant (RFC 8628) for a machine without a browser:
// show a code and a URL, then poll the token endpoint until the person has
// approved it on another device. The loop is ours rather than the library's
// so that every answer of §3.5 gets the message a person needs.

import * as client from 'openid-client'
import { CliError, exitCodes } from './cli-error.ts'
import { cliScope, describe } from './oidc-client.ts'

type Tokens = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers

const deviceGrantType = 'urn:ietf:params:oauth:grant-type:device_code'

export interface DeviceSignInOptions {
  /** Where the code and URL go; stderr, so stdout stays for results. */
  write: (text: string) => void
  /** The command to run again when the code expires or is refused. */
  retryCommand: string
  /** Stop polling after this long even if the code has not expired. */
  timeoutMs: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export async function deviceSignIn(
  config: client.Configuration,
  options: DeviceSignInOptions,
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
  return await pollDeviceGrant(config, grant, options)
}

/** Polls as §3.4–3.5 ask: wait `interval` seconds (5 when unsaid) between
 * requests, keep waiting on `authorization_pending`, add 5 seconds for
 * every `slow_down`, and stop on `expired_token` or when `expires_in` has
 * passed here. */
export async function pollDeviceGrant(
  config: client.Configuration,
  grant: Pick<
    client.DeviceAuthorizationResponse,
    'device_code' | 'expires_in' | 'interval'
  >,
  options: DeviceSignInOptions,
): Promise<Tokens> {
  const sleep = options.sleep ?? defaultSleep
  const now = options.now ?? Date.now
  const started = now()
  const codeDeadline = started + grant.expires_in * 1000
  const giveUpAt = started + options.timeoutMs
  let intervalMs = (grant.interval ?? 5) * 1000

  for (;;) {
    await sleep(intervalMs)
    if (now() >= codeDeadline) throw codeExpired(options.retryCommand)
    if (now() >= giveUpAt) throw timedOut(options)

    const answer = await tokenRequest(config, grant.device_code, options)
    if (typeof answer !== 'string') return answer
    if (answer === 'slow_down') intervalMs += 5000
  }
}

type PollAnswer = Tokens | 'authorization_pending' | 'slow_down'

async function tokenRequest(
  config: client.Configuration,
  deviceCode: string,
  options: DeviceSignInOptions,
): Promise<PollAnswer> {
  try {
    return await client.genericGrantRequest(config, deviceGrantType, {
      device_code: deviceCode,
    })
  } catch (error) {
    const code = error instanceof client.ResponseBodyError ? error.error : ''
    if (code === 'authorization_pending' || code === 'slow_down') return code
    throw failure(code, error, options.retryCommand)
  }
}

function failure(code: string, error: unknown, retryCommand: string): CliError {
  if (code === 'expired_token') return codeExpired(retryCommand)
  if (code === 'access_denied') {
    return new CliError(
      `The sign-in was declined in the browser; run ${retryCommand} to try again.`,
      exitCodes.auth,
    )
  }
  return new CliError(`Sign-in failed: ${describe(error)}`, exitCodes.auth)
}

function codeExpired(retryCommand: string): CliError {
  return new CliError(
    `The code expired; run ${retryCommand} again.`,
    exitCodes.auth,
  )
}

function timedOut(options: DeviceSignInOptions): CliError {
  const minutes = Math.max(1, Math.round(options.timeoutMs / 60_000))
  return new CliError(
    `Sign-in timed out after ${minutes} minutes; run ${options.retryCommand} again.`,
    exitCodes.auth,
  )
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
