// omni host [--name NAME] [--profile NAME]: serve this machine as a host
// until Ctrl-C.

import type { Command } from 'commander'
import { signedInProfile, type ProfileOption } from '../context.ts'
import { startHost } from '../host-runner.ts'
import { hostNameRule, isValidHostName } from '../../host/host-identity.ts'
import { usageError } from '../cli-error.ts'

export function registerHost(program: Command): void {
  program
    .command('host')
    .description('run this machine as a host for your sessions')
    .option('--name <name>', 'the host name (default: this machine’s name)')
    .option('--profile <name>', 'the profile to use')
    .action(async (options: ProfileOption & { name?: string }) => {
      const name = options.name?.trim()
      if (name !== undefined) checkName(name)
      const profile = signedInProfile(options)
      const host = await startHost(profile, name)
      stopOnSignals(() => host.stop())
      await host.closed
    })
}

/** Checked before anything else: the server takes the name as a header,
 * and a name it cannot take would only fail later, less clearly. */
function checkName(name: string): void {
  if (!name) throw usageError('The host name is empty.')
  if (!isValidHostName(name)) throw usageError(hostNameRule)
}

export function stopOnSignals(stop: () => void): void {
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
