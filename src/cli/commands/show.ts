// omni show SESSION [--follow]: the transcript, and with --follow every new
// event as it is stored until the session or access to it ends.

import type { Command } from 'commander'
import type { EventPage, SessionDetail } from '../../protocol/api.ts'
import type { SessionEvent } from '../../protocol/session-events.ts'
import { apiPaths } from '../api-client.ts'
import { signedInApi, type ProfileOption } from '../context.ts'
import { followSession } from '../follow-client.ts'
import { note, say } from '../output.ts'
import { getAccessToken, loginHint } from '../session-tokens.ts'
import { formatEvent } from '../transcript.ts'

export function registerShow(program: Command): void {
  program
    .command('show')
    .description("print a session's transcript")
    .argument('<session>', 'session id')
    .option('--follow', 'keep printing new events as they happen')
    .option('--profile <name>', 'the profile to use')
    .action(
      async (id: string, options: ProfileOption & { follow?: boolean }) => {
        const { profile, api } = signedInApi(options)
        const session = await api.get<SessionDetail>(apiPaths.session(id))
        say(
          `# ${session.title} (${session.owner} on ${session.host}, ${session.dir})`,
        )

        const print = (event: SessionEvent) => {
          for (const line of formatEvent(event)) say(line)
        }

        // The log so far, page by page, until a page comes back empty.
        let lastSeq = 0
        for (;;) {
          const page = await api.get<EventPage>(apiPaths.events(id, lastSeq))
          const fresh = page.filter((event) => event.seq > lastSeq)
          if (fresh.length === 0) break
          for (const event of fresh) print(event)
          lastSeq = fresh.at(-1)?.seq ?? lastSeq
        }
        if (!options.follow) return

        const stream = followSession({
          baseUrl: profile.record.workspaceUrl,
          sessionId: id,
          after: lastSeq,
          accessToken: () => getAccessToken(profile),
          signInHint: loginHint(profile),
          onReconnecting: () => note('Connection lost; reconnecting…'),
          onEvent: print,
        })
        const stop = () => stream.stop()
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        await stream.done
      },
    )
}
