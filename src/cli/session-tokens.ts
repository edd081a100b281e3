// Access tokens for a signed-in profile. A token that expires within a minute
// is refreshed with the refresh token first, and rotated tokens are saved at
// once, because many issuers invalidate the old refresh token on use
// (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).

import * as client from 'openid-client'
import { CliError, exitCodes } from './cli-error.ts'
import {
  findProfile,
  saveProfile,
  type ProfileRecord,
} from './credentials-store.ts'
import { describe, isInvalidGrant, oidcConfiguration } from './oidc-client.ts'

/** A profile as loaded from one OMNI_HOME, kept current as tokens rotate. */
export interface SignedInProfile {
  home: string
  name: string
  record: ProfileRecord
}

const refreshMarginSeconds = 60

/** True when the access token expires within the margin. A record without
 * an expiry is taken at its word: the server will say when it is not valid. */
export function needsRefresh(
  record: Pick<ProfileRecord, 'expiresAt'>,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (record.expiresAt === undefined) return false
  return record.expiresAt - nowSeconds <= refreshMarginSeconds
}

const inFlight = new WeakMap<SignedInProfile, Promise<string>>()

export function getAccessToken(profile: SignedInProfile): Promise<string> {
  if (!needsRefresh(profile.record)) {
    return Promise.resolve(profile.record.accessToken)
  }

  // One refresh at a time per profile: a rotated refresh token is single use.
  let pending = inFlight.get(profile)
  if (!pending) {
    pending = refresh(profile).finally(() => inFlight.delete(profile))
    inFlight.set(profile, pending)
  }
  return pending
}

async function refresh(profile: SignedInProfile): Promise<string> {
  // Another process (the host daemon, a second command) may have refreshed
  // already; its saved tokens are the current ones.
  const saved = findProfile(profile.home, profile.name)
  if (saved && !needsRefresh(saved) && sameSignIn(saved, profile.record)) {
    profile.record = saved
    return saved.accessToken
  }

  const refreshToken = saved?.refreshToken ?? profile.record.refreshToken
  if (!refreshToken) throw expired(profile)

  const config = await oidcConfiguration(
    profile.record.issuer,
    profile.record.clientId,
  )
  let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers
  try {
    tokens = await client.refreshTokenGrant(config, refreshToken)
  } catch (error) {
    if (isInvalidGrant(error)) throw expired(profile)
    throw new CliError(
      `Could not refresh the sign-in for ${profile.record.workspaceUrl}: ${describe(error)}`,
      exitCodes.auth,
    )
  }

  profile.record = withTokens(profile.record, tokens, refreshToken)
  saveProfile(profile.home, profile.name, profile.record)
  return profile.record.accessToken
}

/** The record with new tokens; a response without a refresh token keeps the
 * old one (RFC 6749 §6: the issuer may keep it unchanged). */
export function withTokens(
  record: ProfileRecord,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  previousRefreshToken?: string,
): ProfileRecord {
  const next: ProfileRecord = {
    ...record,
    accessToken: tokens.access_token,
  }
  const refreshToken = tokens.refresh_token ?? previousRefreshToken
  if (refreshToken) next.refreshToken = refreshToken
  else delete next.refreshToken

  const expiresIn = tokens.expiresIn()
  if (expiresIn !== undefined) {
    next.expiresAt = Math.floor(Date.now() / 1000) + expiresIn
  } else delete next.expiresAt
  return next
}

function sameSignIn(a: ProfileRecord, b: ProfileRecord): boolean {
  return a.workspaceUrl === b.workspaceUrl && a.issuer === b.issuer
}

export function loginHint(profile: SignedInProfile): string {
  return `omni login ${profile.record.workspaceUrl} --profile ${profile.name}`
}

function expired(profile: SignedInProfile): CliError {
  return new CliError(
    `Your sign-in has expired. Run: ${loginHint(profile)}`,
    exitCodes.auth,
  )
}
