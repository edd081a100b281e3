// omni host [--name NAME] [--profile NAME]: serve this machine as a host
// until Ctrl-C.

import type { Command } from 'commander'
import { signedInProfile, type ProfileOption } from '../context.ts'
import { startHost } from '../host-runner.ts'
import { usageError } from '../cli-error.ts'

export function registerHost(program: Command): void {
  program
    .command('host')
    .description('run this machine as a host for your sessions')
    .option('--name <name>', 'the host name (default: this machine’s name)')
    .option('--profile <name>', 'the profile to use')
    .action(async (options: ProfileOption & { name?: string }) => {
      if (options.name !== undefined && !options.name.trim()) {
        throw usageError('The host name is empty.')
      }
      const profile = signedInProfile(options)
      const host = await startHost(profile, options.name)
      stopOnSignals(() => host.stop())
      await host.closed
    })
}

export function stopOnSignals(stop: () => void): void {
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
