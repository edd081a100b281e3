// What most commands start from: this user's OMNI_HOME, the chosen profile
// and an API client that signs its requests with that profile's token.

import { ApiClient } from './api-client.ts'
import { usageError } from './cli-error.ts'
import {
  checkProfileName,
  defaultProfileName,
  loadProfile,
  readProfiles,
} from './credentials-store.ts'
import { omniHome } from './omni-home.ts'
import {
  getAccessToken,
  loginHint,
  type SignedInProfile,
} from './session-tokens.ts'

export interface ProfileOption {
  profile?: string
}

/** The name a sign-in is saved under: --profile, OMNI_PROFILE or default. */
export function profileName(options: ProfileOption): string {
  return checkProfileName(
    options.profile ?? process.env.OMNI_PROFILE ?? defaultProfileName,
  )
}

/** The profile a command uses: the one named by --profile or OMNI_PROFILE,
 * else `default`, else the only one. Several profiles and no `default` is
 * an error that lists them: using the wrong identity (a person's rather
 * than an automation's, or another workspace) must never be a guess. */
export function chooseProfile(home: string, options: ProfileOption): string {
  const named = options.profile ?? process.env.OMNI_PROFILE
  if (named !== undefined) return checkProfileName(named)

  const profiles = readProfiles(home)
  const names = Object.keys(profiles).sort()
  if (names.length === 0 || names.includes(defaultProfileName)) {
    return defaultProfileName
  }
  if (names.length === 1 && names[0] !== undefined) return names[0]

  const listed = names
    .map((name) => {
      const record = profiles[name]
      return `${name} (${record?.email} at ${record?.workspaceUrl})`
    })
    .join(', ')
  throw usageError(
    `Several profiles and none is "default"; pick one with --profile NAME or OMNI_PROFILE: ${listed}.`,
  )
}

export function signedInProfile(options: ProfileOption): SignedInProfile {
  const home = omniHome()
  const name = chooseProfile(home, options)
  return { home, name, record: loadProfile(home, name) }
}

export function apiFor(profile: SignedInProfile): ApiClient {
  return new ApiClient({
    baseUrl: profile.record.workspaceUrl,
    accessToken: () => getAccessToken(profile),
    signInHint: loginHint(profile),
  })
}

export function signedInApi(options: ProfileOption): {
  profile: SignedInProfile
  api: ApiClient
} {
  const profile = signedInProfile(options)
  return { profile, api: apiFor(profile) }
}
