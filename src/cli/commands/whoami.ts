// omni whoami [--json]

import type { Command } from 'commander'
import type { Me } from '../../protocol/api.ts'
import { apiPaths } from '../api-client.ts'
import { signedInApi, type ProfileOption } from '../context.ts'
import { printJson, say } from '../output.ts'

export function registerWhoami(program: Command): void {
  program
    .command('whoami')
    .description('show who you are signed in as')
    .option('--profile <name>', 'the profile to use')
    .option('--json', 'print JSON')
    .action(async (options: ProfileOption & { json?: boolean }) => {
      const { profile, api } = signedInApi(options)
      const me = await api.get<Me>(apiPaths.me)
      const workspace = profile.record.workspaceUrl

      if (options.json) {
        printJson({ ...me, workspace, profile: profile.name })
        return
      }
      say(me.email)
      say(`workspace: ${workspace}${me.isAdmin ? ' (admin)' : ''}`)
      say(`profile:   ${profile.name}`)
      if (!me.enabled) say('Omnigent is not enabled for this workspace.')
    })
}
