// omni server [--port 6767] [--data-dir DIR] [--database-url URL]
//             [--public-url URL] [--config FILE]

import type { Command } from 'commander'
import { omniHome } from '../omni-home.ts'
import { note, say } from '../output.ts'
import { defaultPort, startServer, type ServerFlags } from '../server-runner.ts'
import { stopOnSignals } from './host.ts'

export function registerServer(program: Command): void {
  program
    .command('server')
    .description('run the Omnigent server')
    .option('--port <port>', 'port to listen on', String(defaultPort))
    .option(
      '--data-dir <dir>',
      'where SQLite and server keys live (default: $OMNI_HOME/server)',
    )
    .option(
      '--database-url <url>',
      'PostgreSQL URL (better: env OMNI_DATABASE_URL)',
    )
    .option('--public-url <url>', 'the URL people reach this server at')
    .option(
      '--config <file>',
      'JSON settings: publicUrl, host, workspace (external issuer), proxy, builtin',
    )
    .action(async (flags: ServerFlags) => {
      if (flags.databaseUrl) {
        note(
          'Warning: command-line arguments are visible to other users of this machine; ' +
            'prefer the OMNI_DATABASE_URL environment variable for a database URL with a password.',
        )
      }

      const server = await startServer(omniHome(), flags)
      say(`Omnigent server listening at ${server.url}`)
      await new Promise<void>((resolve) => stopOnSignals(resolve))
      await server.close()
    })
}
