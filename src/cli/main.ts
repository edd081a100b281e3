// The `omni` command. Every expected failure is a CliError (or a commander
// usage error) and ends as one line on stderr with a distinct exit code:
// 1 general, 2 usage, 3 not signed in or sign-in failed, 4 not found or not
// allowed, 5 host id taken, 6 host replaced by another with the same id.
// Only unexpected faults print more, and only when OMNI_DEBUG is set.

import { Command, CommanderError } from 'commander'
import { isCliError, exitCodes } from './cli-error.ts'
import { endQuietlyWhenReaderLeaves } from './output.ts'
import { safeText } from './safe-text.ts'
import { registerAdmin } from './commands/admin.ts'
import { registerAudit } from './commands/audit.ts'
import { registerHost } from './commands/host.ts'
import { registerHosts } from './commands/hosts.ts'
import { registerLogin } from './commands/login.ts'
import { registerSend } from './commands/send.ts'
import { registerServer } from './commands/server.ts'
import { registerSessions } from './commands/sessions.ts'
import { registerShare } from './commands/share.ts'
import { registerShow } from './commands/show.ts'
import { registerStartStop } from './commands/start-stop.ts'
import { registerTokens } from './commands/tokens.ts'
import { registerUsers } from './commands/users.ts'
import { registerWhoami } from './commands/whoami.ts'

export function buildProgram(): Command {
  const program = new Command('omni')
    .description('Run AI coding agents on machines you own, together.')
    .version('0.1.0')
    .showSuggestionAfterError(true)

  for (const register of [
    registerServer,
    registerStartStop,
    registerLogin,
    registerWhoami,
    registerHost,
    registerHosts,
    registerSessions,
    registerSend,
    registerShow,
    registerShare,
    registerAdmin,
    registerTokens,
    registerAudit,
    registerUsers,
  ]) {
    register(program)
  }

  configureEverywhere(program)
  return program
}

/** Applies to every (sub)command: throw instead of exiting, and never echo
 * the value of an unknown `--option=value`, which may be a secret someone
 * tried to pass on the command line. */
function configureEverywhere(command: Command): void {
  command.exitOverride()
  command.configureOutput({
    outputError: (text, write) => write(safeText(redactOptionValues(text))),
  })
  for (const sub of command.commands) configureEverywhere(sub)
}

function redactOptionValues(text: string): string {
  return text
    .replace(/^error: /, 'omni: ')
    .replace(/('--?[^'=\s]+)=[^']*'/g, "$1=…'")
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
    return 0
  } catch (error) {
    return report(error)
  }
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its one line (or the help / version).
    return error.exitCode === 0 ? 0 : exitCodes.usage
  }

  if (isCliError(error)) {
    process.stderr.write(`omni: ${safeText(error.message)}\n`)
    return error.exitCode
  }

  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`omni: unexpected error: ${safeText(message)}\n`)
  if (process.env.OMNI_DEBUG && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`)
  }
  return exitCodes.general
}

if (import.meta.main) {
  endQuietlyWhenReaderLeaves()
  process.exitCode = await main(process.argv)
}
