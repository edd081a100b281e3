// omni hosts [--json] | omni hosts remove NAME

import type { Command } from 'commander'
import type { Host } from '../../protocol/api.ts'
import { apiPaths } from '../api-client.ts'
import { signedInApi, type ProfileOption } from '../context.ts'
import { printJson, printTable, say } from '../output.ts'

export function registerHosts(program: Command): void {
  const hosts = program
    .command('hosts')
    .description('list your hosts')
    .option('--json', 'print JSON')
    .option('--profile <name>', 'the profile to use')
    .action(async (options: ProfileOption & { json?: boolean }) => {
      const { api } = signedInApi(options)
      const list = await api.get<Host[]>(apiPaths.hosts)

      if (options.json) return printJson(list)
      if (list.length === 0)
        return say('No hosts. Run omni host on a machine to add one.')
      printTable(
        ['name', 'id', 'status', 'last seen'],
        list.map((h) => [
          h.name,
          h.id,
          h.online ? 'online' : 'offline',
          h.lastSeenAt ?? '-',
        ]),
      )
    })

  hosts
    .command('remove')
    .description('remove one of your hosts')
    .argument('<name>', 'the host name')
    .option('--profile <name>', 'the profile to use')
    .action(async (name: string, options: ProfileOption) => {
      const { api } = signedInApi(options)
      await api.delete(apiPaths.host(name))
      say(`Removed host ${name}.`)
    })
}
