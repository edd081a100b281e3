// omni login <workspace-url> [--profile NAME] [--device | --token-stdin]
// omni logout [--profile NAME]

import type { Command } from 'commander'
import * as client from 'openid-client'
import { CliError, exitCodes, usageError } from '../cli-error.ts'
import { apiPaths } from '../api-client.ts'
import {
  apiFor,
  chooseProfile,
  profileName,
  type ProfileOption,
} from '../context.ts'
import { withCredentialsLock } from '../credentials-lock.ts'
import {
  deleteProfile,
  findProfile,
  type ProfileRecord,
} from '../credentials-store.ts'
import { login, loginWithPersonalToken } from '../login-flow.ts'
import { describe, oidcConfiguration } from '../oidc-client.ts'
import { ensureOmniHome, omniHome } from '../omni-home.ts'
import { note, say } from '../output.ts'
import { confirm, readAllStdin, stdinIsTty } from '../prompt.ts'
import type { SignedInProfile } from '../session-tokens.ts'
import { canonicalWorkspaceUrl } from '../workspace-url.ts'

interface LoginFlags extends ProfileOption {
  device?: boolean
  tokenStdin?: boolean
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('sign in to a workspace in the browser')
    .argument(
      '<workspace-url>',
      'the Omnigent server, e.g. https://omni.example.com',
    )
    .option('--profile <name>', 'save the sign-in under this profile name')
    .option('--device', 'sign in with a code on another device (no browser)')
    .option(
      '--token-stdin',
      'sign in with a personal access token read from stdin',
    )
    .action(async (url: string, options: LoginFlags) => {
      if (options.device && options.tokenStdin) {
        throw usageError('Use either --device or --token-stdin, not both.')
      }
      const workspaceUrl = canonicalWorkspaceUrl(url)
      const home = ensureOmniHome(omniHome())
      const target = { home, profileName: profileName(options), workspaceUrl }

      const record = options.tokenStdin
        ? await loginWithPersonalToken(target, await tokenFromStdin())
        : await login({
            ...target,
            device: Boolean(options.device),
            write: (text) => process.stderr.write(text),
            askDevice: stdinIsTty() ? confirm : undefined,
          })
      say(`Signed in to ${record.workspaceUrl} as ${record.email}.`)
    })

  program
    .command('logout')
    .description('revoke and forget the sign-in of a profile')
    .option('--profile <name>', 'the profile to sign out')
    .action(async (options: ProfileOption) => {
      const home = omniHome()
      const name = chooseProfile(home, options)
      const record = findProfile(home, name)
      if (!record) {
        throw new CliError(
          `Not signed in (no profile "${name}").`,
          exitCodes.auth,
        )
      }

      await reportSignOut({ home, name, record })
      // Reporting may have refreshed, which rotates the refresh token.
      await revoke(findProfile(home, name) ?? record)
      await withCredentialsLock(home, () => deleteProfile(home, name))
      say(`Signed out of ${record.workspaceUrl} (profile ${name}).`)
    })
}

/** The first line of stdin: a token is never an argument, where other
 * users of the machine could read it. */
async function tokenFromStdin(): Promise<string> {
  if (stdinIsTty()) {
    note('Paste the personal access token, then press Enter and Ctrl-D.')
  }
  const token = (await readAllStdin()).split(/\r?\n/, 1)[0]?.trim() ?? ''
  if (!token) throw usageError('No token on stdin.')
  return token
}

/** Tells the server first, while the sign-in still works, so the access
 * trail records the sign-out. Best effort and quiet: offline, or with a
 * sign-in the issuer already ended, the sign-out goes on here all the same. */
async function reportSignOut(profile: SignedInProfile): Promise<void> {
  if (profile.record.kind === 'personal-token') return
  try {
    await apiFor(profile).post(apiPaths.signOuts)
  } catch {
    // The revocation below says what happened at the issuer.
  }
}

/** Revokes the refresh token at the issuer (RFC 7009 §2.1) when there is
 * one and the issuer offers revocation, and says what happened; the local
 * copy is deleted whatever happens here. */
async function revoke(record: ProfileRecord): Promise<void> {
  if (record.kind === 'personal-token') {
    note(
      'The personal access token itself stays valid until it expires; revoke it with omni tokens revoke ID.',
    )
    return
  }
  if (!record.refreshToken) return

  try {
    const config = await oidcConfiguration(record.issuer, record.clientId)
    if (!config.serverMetadata().revocation_endpoint) {
      note('The issuer offers no revocation; removed the sign-in here only.')
      return
    }
    await client.tokenRevocation(config, record.refreshToken, {
      token_type_hint: 'refresh_token',
    })
    note('Revoked the sign-in at the issuer.')
  } catch (error) {
    note(
      `Could not revoke the sign-in at the issuer (${describe(error)}); removed it here anyway.`,
    )
  }
}
