// omni sessions [--shared | --all] [--json]
// omni new --host NAME [--dir PATH] [--title TEXT]
// omni rename SESSION TITLE

import { Option, type Command } from 'commander'
import { resolve } from 'node:path'
import type {
  CreateSession,
  RenameSession,
  SessionDetail,
  SessionSummary,
} from '../../protocol/api.ts'
import { apiPaths } from '../api-client.ts'
import { usageError } from '../cli-error.ts'
import { signedInApi, type ProfileOption } from '../context.ts'
import { printJson, printTable, say } from '../output.ts'

interface ListOptions extends ProfileOption {
  shared?: boolean
  all?: boolean
  json?: boolean
}

export function registerSessions(program: Command): void {
  program
    .command('sessions')
    .description('list your sessions (or those shared with you)')
    .addOption(
      new Option('--shared', 'sessions shared with you').conflicts('all'),
    )
    .option('--all', 'yours and those shared with you')
    .option('--json', 'print JSON')
    .option('--profile <name>', 'the profile to use')
    .action(async (options: ListOptions) => {
      const scope = options.all ? 'all' : options.shared ? 'shared' : 'mine'
      const { api } = signedInApi(options)
      const sessions = await api.get<SessionSummary[]>(apiPaths.sessions(scope))

      if (options.json) return printJson(sessions)
      if (sessions.length === 0) return say('No sessions.')
      printTable(
        ['id', 'title', 'owner', 'host', 'level'],
        sessions.map((s) => [s.id, s.title, s.owner, s.host, s.level]),
      )
    })

  program
    .command('new')
    .description('start a session on one of your hosts')
    .requiredOption('--host <name>', 'the host to run it on')
    .option('--dir <path>', 'working directory on the host (default: here)')
    .option('--title <text>', 'a title for the session')
    .option('--profile <name>', 'the profile to use')
    .action(async (options: ProfileOption & CreateSession) => {
      const body: CreateSession = {
        host: options.host,
        dir: resolve(options.dir ?? process.cwd()),
      }
      if (options.title !== undefined)
        body.title = nonEmpty(options.title, 'title')

      const { api } = signedInApi(options)
      const session = await api.post<SessionDetail>(apiPaths.sessions(), body)
      say(session.id)
    })

  program
    .command('rename')
    .description('give a session a new title')
    .argument('<session>', 'session id')
    .argument('<title>', 'the new title')
    .option('--profile <name>', 'the profile to use')
    .action(async (id: string, title: string, options: ProfileOption) => {
      const body: RenameSession = { title: nonEmpty(title, 'title') }
      const { api } = signedInApi(options)
      await api.patch<SessionDetail>(apiPaths.session(id), body)
      say(`Renamed ${id} to "${body.title}".`)
    })
}

export function nonEmpty(text: string, what: string): string {
  const trimmed = text.trim()
  if (!trimmed) throw usageError(`The ${what} is empty.`)
  return trimmed
}
