// omni login <workspace-url> [--profile NAME] [--device]
// omni logout [--profile NAME]

import type { Command } from 'commander'
import * as client from 'openid-client'
import { deleteProfile, findProfile } from '../credentials-store.ts'
import { profileName, type ProfileOption } from '../context.ts'
import { login } from '../login-flow.ts'
import { oidcConfiguration } from '../oidc-client.ts'
import { ensureOmniHome, omniHome } from '../omni-home.ts'
import { note, say } from '../output.ts'
import { canonicalWorkspaceUrl } from '../workspace-url.ts'
import { CliError, exitCodes } from '../cli-error.ts'

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('sign in to a workspace in the browser')
    .argument(
      '<workspace-url>',
      'the Omnigent server, e.g. https://omni.example.com',
    )
    .option('--profile <name>', 'save the sign-in under this profile name')
    .option('--device', 'sign in on another device (no browser here)')
    .action(
      async (url: string, options: ProfileOption & { device?: boolean }) => {
        const workspaceUrl = canonicalWorkspaceUrl(url)
        const home = ensureOmniHome(omniHome())
        const record = await login({
          home,
          profileName: profileName(options),
          workspaceUrl,
          device: Boolean(options.device),
          write: (text) => process.stderr.write(text),
        })
        say(`Signed in to ${record.workspaceUrl} as ${record.email}.`)
      },
    )

  program
    .command('logout')
    .description('forget the sign-in of a profile')
    .option('--profile <name>', 'the profile to sign out')
    .action(async (options: ProfileOption) => {
      const home = omniHome()
      const name = profileName(options)
      const record = findProfile(home, name)
      if (!record) {
        throw new CliError(
          `Not signed in (no profile "${name}").`,
          exitCodes.auth,
        )
      }

      await revoke(record.issuer, record.clientId, record.refreshToken)
      deleteProfile(home, name)
      say(`Signed out of ${record.workspaceUrl} (profile ${name}).`)
    })
}

/** Revokes the refresh token (RFC 7009) when the issuer offers revocation;
 * the local copy is deleted whatever happens here. */
async function revoke(
  issuer: string,
  clientId: string,
  refreshToken: string | undefined,
): Promise<void> {
  if (!refreshToken) return
  try {
    const config = await oidcConfiguration(issuer, clientId)
    if (!config.serverMetadata().revocation_endpoint) return
    await client.tokenRevocation(config, refreshToken, {
      token_type_hint: 'refresh_token',
    })
  } catch {
    note('Could not revoke the token at the issuer; removed it here anyway.')
  }
}
