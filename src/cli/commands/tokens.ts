// omni tokens create [--name TEXT] [--expires DAYS] | omni tokens [--json] |
// omni tokens revoke ID. The names are reserved; the server does not issue
// personal tokens yet.

import type { Command } from 'commander'
import { CliError } from '../cli-error.ts'

const notYet = () => {
  throw new CliError('Personal access tokens are not available yet.')
}

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('personal access tokens (not available yet)')
    .option('--json', 'print JSON')
    .option('--profile <name>', 'the profile to use')
    .action(notYet)

  tokens
    .command('create')
    .description('create a token')
    .option('--name <text>', 'what the token is for')
    .option('--expires <days>', 'days until it expires')
    .option('--profile <name>', 'the profile to use')
    .action(notYet)

  tokens
    .command('revoke')
    .description('revoke a token')
    .argument('<id>', 'token id')
    .option('--profile <name>', 'the profile to use')
    .action(notYet)
}
