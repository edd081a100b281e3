// omni users add EMAIL [--admin] [--workspace URL]: a user of the built-in
// workspace. On a fresh install the first user is the admin, set up without
// sign-in from the server machine itself (POST /api/setup is loopback only).

import type { Command } from 'commander'
import type { NewDirectoryUser, WorkspaceStatus } from '../../protocol/api.ts'
import { ApiClient, apiPaths } from '../api-client.ts'
import { CliError, exitCodes, usageError } from '../cli-error.ts'
import { apiFor, chooseProfile, type ProfileOption } from '../context.ts'
import { findProfile } from '../credentials-store.ts'
import { omniHome } from '../omni-home.ts'
import { say } from '../output.ts'
import { readPassword } from '../prompt.ts'
import { canonicalWorkspaceUrl } from '../workspace-url.ts'
import { checkEmail } from './share.ts'

interface AddOptions extends ProfileOption {
  admin?: boolean
  workspace?: string
}

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('the built-in workspace directory')

  users
    .command('add')
    .description('add a user (password from a prompt, stdin or OMNI_PASSWORD)')
    .argument('<email>', 'their email address')
    .option('--admin', 'make them a workspace admin')
    .option('--workspace <url>', 'the workspace (default: the profile’s)')
    .option('--profile <name>', 'the profile to use')
    .action(async (email: string, options: AddOptions) => {
      const address = checkEmail(email)
      const home = omniHome()
      const name = chooseProfile(home, options)
      const profile = findProfile(home, name)
      const workspaceUrl = options.workspace
        ? canonicalWorkspaceUrl(options.workspace)
        : profile?.workspaceUrl
      if (!workspaceUrl) {
        throw usageError(
          'Which workspace? Pass --workspace URL or sign in first.',
        )
      }

      const open = new ApiClient({ baseUrl: workspaceUrl })
      const status = await open.get<WorkspaceStatus>(apiPaths.workspace)
      if (!status.builtin) {
        throw new CliError(
          "This workspace's users are managed by its identity provider, not by omni.",
        )
      }

      const password = await readPassword(`Password for ${address}`)
      if (status.needsSetup) {
        const body: NewDirectoryUser = { email: address, password, admin: true }
        await open.post(apiPaths.setup, body)
        say(`Added ${address} as the first workspace admin.`)
        return
      }

      if (!profile || profile.workspaceUrl !== workspaceUrl) {
        throw new CliError(
          `Sign in as a workspace admin first: omni login ${workspaceUrl}`,
          exitCodes.auth,
        )
      }
      const body: NewDirectoryUser = {
        email: address,
        password,
        admin: Boolean(options.admin),
      }
      await apiFor({ home, name, record: profile }).post(apiPaths.users, body)
      say(`Added ${address}${options.admin ? ' as a workspace admin' : ''}.`)
    })
}
