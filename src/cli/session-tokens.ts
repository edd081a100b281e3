// Access tokens for a signed-in profile. A token that expires within a minute
// is refreshed with the refresh token first, once per process however many
// requests wait on it, and under a lock shared by every process of this
// OMNI_HOME; rotated tokens are saved at once, because many issuers
// invalidate the old refresh token on use (RFC 9700 §4.14.2).

import * as client from 'openid-client'
import { CliError, exitCodes } from './cli-error.ts'
import { withCredentialsLock } from './credentials-lock.ts'
import {
  defaultProfileName,
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

/** Refreshes under the lock every process of this OMNI_HOME shares, then
 * saves the rotated tokens before the lock is let go. */
function refresh(profile: SignedInProfile): Promise<string> {
  return withCredentialsLock(profile.home, () => refreshLocked(profile))
}

async function refreshLocked(profile: SignedInProfile): Promise<string> {
  // Another process (the host daemon, a second command) may have refreshed
  // while this one waited for the lock; its saved tokens are the current
  // ones, and the refresh token this one holds is already spent.
  const saved = findProfile(profile.home, profile.name)
  if (!saved || !sameSignIn(saved, profile.record)) throw expired(profile)
  profile.record = saved
  if (!needsRefresh(saved)) return saved.accessToken

  const refreshToken = saved.refreshToken
  if (!refreshToken) throw expired(profile)

  const config = await oidcConfiguration(saved.issuer, saved.clientId)
  let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers
  try {
    tokens = await client.refreshTokenGrant(config, refreshToken)
  } catch (error) {
    if (isInvalidGrant(error)) throw expired(profile)
    // Not the issuer's final word (it may be unreachable for now).
    throw new CliError(
      `Could not refresh the sign-in for ${saved.workspaceUrl}: ${describe(error)}`,
    )
  }

  profile.record = withTokens(saved, tokens, refreshToken)
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

/** The exact command that signs this profile in again. */
export function loginHint(profile: SignedInProfile): string {
  const { record, name } = profile
  const flag = name === defaultProfileName ? '' : ` --profile ${name}`
  const how = record.kind === 'personal-token' ? ' --token-stdin' : ''
  return `omni login ${record.workspaceUrl}${flag}${how}`
}

/** The sign-in is over for good: only `omni login` brings it back. A host
 * daemon ends on it rather than retrying. */
export class SignInExpiredError extends CliError {
  constructor(profile: SignedInProfile) {
    super(
      `Your sign-in has expired. Run: ${loginHint(profile)}`,
      exitCodes.auth,
    )
    this.name = 'SignInExpiredError'
  }
}

function expired(profile: SignedInProfile): CliError {
  return new SignInExpiredError(profile)
}
