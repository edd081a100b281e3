// What most commands start from: this user's OMNI_HOME, the chosen profile
// and an API client that signs its requests with that profile's token.

import { ApiClient } from './api-client.ts'
import {
  checkProfileName,
  defaultProfileName,
  loadProfile,
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

export function profileName(options: ProfileOption): string {
  return checkProfileName(
    options.profile ?? process.env.OMNI_PROFILE ?? defaultProfileName,
  )
}

export function signedInProfile(options: ProfileOption): SignedInProfile {
  const home = omniHome()
  const name = profileName(options)
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
