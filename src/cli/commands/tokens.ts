// omni tokens [--json] | omni tokens create [--name TEXT] [--expires DAYS] |
// omni tokens revoke ID: personal access tokens, for scripts, CI and MCP
// clients. A new token is printed once, alone on stdout so that a script
// can capture it; everything said about it goes to stderr.

import type { Command } from 'commander'
import type {
  CreateToken,
  CreatedToken,
  TokenSummary,
} from '../../protocol/api.ts'
import { apiPaths } from '../api-client.ts'
import { usageError } from '../cli-error.ts'
import { signedInApi, type ProfileOption } from '../context.ts'
import { note, printJson, printTable, say } from '../output.ts'

interface CreateOptions extends ProfileOption {
  name?: string
  expires?: string
}

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('list your personal access tokens')
    .option('--json', 'print JSON')
    .option('--profile <name>', 'the profile to use')
    .action(async (options: ProfileOption & { json?: boolean }) => {
      const { api } = signedInApi(options)
      const list = await api.get<TokenSummary[]>(apiPaths.tokens)

      if (options.json) return printJson(list)
      if (list.length === 0) {
        return say(
          'No personal access tokens. Create one with omni tokens create.',
        )
      }
      printTable(
        ['id', 'name', 'created', 'expires', 'last used'],
        list.map((t) => [
          t.id,
          t.name,
          t.createdAt,
          t.expiresAt,
          t.lastUsedAt ?? '-',
        ]),
      )
    })

  tokens
    .command('create')
    .description('create a token; it is shown once')
    .option('--name <text>', 'what the token is for')
    .option('--expires <days>', 'days until it expires (default 30)')
    .option('--profile <name>', 'the profile to use')
    .action(async (options: CreateOptions) => {
      const body: CreateToken = {}
      if (options.name !== undefined) body.name = options.name
      if (options.expires !== undefined) {
        body.expiresInDays = parseDays(options.expires)
      }

      const { api } = signedInApi(options)
      const created = await api.post<CreatedToken>(apiPaths.tokens, body)
      say(created.token)
      note(
        `Created token ${created.id} "${created.name}", expiring ${created.expiresAt}. ` +
          'This is the only time it is shown; store it now.',
      )
    })

  tokens
    .command('revoke')
    .description('revoke a token; it stops working at once')
    .argument('<id>', 'token id, from omni tokens')
    .option('--profile <name>', 'the profile to use')
    .action(async (id: string, options: ProfileOption) => {
      const { api } = signedInApi(options)
      await api.delete(apiPaths.token(id))
      say(`Revoked token ${id}.`)
    })
}

function parseDays(text: string): number {
  const days = Number(text)
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(days) || days < 1) {
    throw usageError(`--expires takes a whole number of days, not "${text}".`)
  }
  return days
}
