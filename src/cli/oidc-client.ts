// The CLI as an OAuth public client (RFC 8252): no secret, PKCE on every
// authorization request. One discovery per issuer per process.

import * as client from 'openid-client'
import { CliError, exitCodes } from './cli-error.ts'
import { isLoopbackHttpUrl } from './workspace-url.ts'

export const cliScope = 'openid email offline_access'

const configs = new Map<string, Promise<client.Configuration>>()

export function oidcConfiguration(
  issuer: string,
  clientId: string,
): Promise<client.Configuration> {
  const key = `${issuer} ${clientId}`
  let config = configs.get(key)
  if (!config) {
    config = discover(issuer, clientId)
    configs.set(key, config)
    config.catch(() => configs.delete(key))
  }
  return config
}

async function discover(
  issuer: string,
  clientId: string,
): Promise<client.Configuration> {
  const url = new URL(issuer)
  if (url.protocol !== 'https:' && !isLoopbackHttpUrl(issuer)) {
    throw new CliError(
      `The workspace's issuer ${issuer} does not use https; refusing to sign in.`,
      exitCodes.auth,
    )
  }

  // Plain http is only ever accepted for an issuer on this machine.
  const execute = url.protocol === 'http:' ? [client.allowInsecureRequests] : []
  try {
    return await client.discovery(url, clientId, undefined, client.None(), {
      execute,
    })
  } catch (error) {
    throw new CliError(
      `Could not read the sign-in configuration of ${issuer}: ${describe(error)}`,
      exitCodes.auth,
    )
  }
}

/** A short reason from an openid-client or network error, secret-free. */
export function describe(error: unknown): string {
  if (
    error instanceof client.ResponseBodyError ||
    error instanceof client.AuthorizationResponseError
  ) {
    return error.error_description ?? error.error
  }
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string } }).cause
    return cause?.code ? `${error.message} (${cause.code})` : error.message
  }
  return String(error)
}

export function isInvalidGrant(error: unknown): boolean {
  return (
    error instanceof client.ResponseBodyError && error.error === 'invalid_grant'
  )
}
