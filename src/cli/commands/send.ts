// omni send SESSION MESSAGE: send a message, wait for the turn to end and
// print the agent's answer. MESSAGE "-" reads the message from stdin.

import type { Command } from 'commander'
import type { MessageAccepted, SendMessage } from '../../protocol/api.ts'
import type { SessionEvent } from '../../protocol/session-events.ts'
import { apiPaths } from '../api-client.ts'
import { CliError } from '../cli-error.ts'
import { signedInApi, type ProfileOption } from '../context.ts'
import { followSession } from '../follow-client.ts'
import { note, say } from '../output.ts'
import { readAllStdin } from '../prompt.ts'
import { getAccessToken, loginHint } from '../session-tokens.ts'
import { nonEmpty } from './sessions.ts'

export function registerSend(program: Command): void {
  program
    .command('send')
    .description("send a message and print the agent's answer")
    .argument('<session>', 'session id')
    .argument('<message>', 'the message ("-" reads it from stdin)')
    .option('--profile <name>', 'the profile to use')
    .action(async (id: string, message: string, options: ProfileOption) => {
      const text = nonEmpty(
        message === '-' ? await readAllStdin() : message,
        'message',
      )
      const { profile, api } = signedInApi(options)
      const body: SendMessage = { text }
      const accepted = await api.post<MessageAccepted>(
        apiPaths.messages(id),
        body,
      )

      const answer: string[] = []
      let end: Extract<SessionEvent, { kind: 'turn.end' }> | undefined
      const stream = followSession({
        baseUrl: profile.record.workspaceUrl,
        sessionId: id,
        after: accepted.seq - 1,
        accessToken: () => getAccessToken(profile),
        signInHint: loginHint(profile),
        onReconnecting: () => note('Connection lost; reconnecting…'),
        onEvent: (event) => {
          if (event.turnId !== accepted.turnId) return
          if (event.kind === 'assistant.text') answer.push(event.text)
          if (event.kind !== 'turn.end') return
          end = event
          return 'stop'
        },
      })
      await stream.done

      if (answer.length > 0) say(answer.join('\n'))
      if (end && end.status !== 'completed') {
        const what = end.status === 'interrupted' ? 'was interrupted' : 'failed'
        const reason = end.error ? `: ${end.error}` : '.'
        throw new CliError(`The turn ${what}${reason}`)
      }
    })
}
