// omni admin enable | disable | status

import type { Command } from 'commander'
import type { SetEnablement, WorkspaceStatus } from '../../protocol/api.ts'
import { apiPaths } from '../api-client.ts'
import { signedInApi, type ProfileOption } from '../context.ts'
import { say } from '../output.ts'

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('workspace admin switches')

  const setEnabled = (enabled: boolean) => async (options: ProfileOption) => {
    const { profile, api } = signedInApi(options)
    const body: SetEnablement = { enabled }
    await api.post(apiPaths.enablement, body)
    say(
      `Omnigent is now ${enabled ? 'enabled' : 'disabled'} for ${profile.record.workspaceUrl}.`,
    )
  }

  admin
    .command('enable')
    .description('turn Omnigent on for the workspace')
    .option('--profile <name>', 'the profile to use')
    .action(setEnabled(true))

  admin
    .command('disable')
    .description('turn Omnigent off (nothing is deleted)')
    .option('--profile <name>', 'the profile to use')
    .action(setEnabled(false))

  admin
    .command('status')
    .description('is Omnigent enabled for the workspace?')
    .option('--profile <name>', 'the profile to use')
    .action(async (options: ProfileOption) => {
      const { profile, api } = signedInApi(options)
      const status = await api.get<WorkspaceStatus>(apiPaths.workspace)
      const state = status.enabled ? 'enabled' : 'not enabled'
      say(`Omnigent is ${state} for ${profile.record.workspaceUrl}.`)
    })
}
