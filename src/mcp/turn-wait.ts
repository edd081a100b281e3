// Waits for a turn to end, for callers (MCP clients) that want the agent's
// answer in one call rather than a live stream. The wait is a stream like
// any other: it ends the moment the caller may no longer see the session or
// the credential it came with is revoked, and hands over nothing more.

import { decideSession, enforce, type Actor } from '../access/policy.ts'
import { OmniError } from '../core/errors.ts'
import type { Credential } from '../identity/authenticator.ts'
import type { SessionEvent, TurnStatus } from '../protocol/session-events.ts'
import type { LiveHub } from '../sessions/live-hub.ts'
import type { SessionService } from '../sessions/session-service.ts'
import type { SignOutNotifier } from '../sessions/sign-out-notifier.ts'

export interface TurnOutcome {
  status: TurnStatus | 'still_running'
  answer: string
}

export interface TurnWaitContext {
  hub: LiveHub
  sessions: SessionService
  signOuts: SignOutNotifier
  actor: Actor
  credential: Credential | undefined
}

export function waitForTurnEnd(
  context: TurnWaitContext,
  turn: {
    sessionId: string
    turnId: string
    afterSeq: number
    timeoutMs: number
  },
): Promise<TurnOutcome> {
  const { hub, sessions, signOuts, actor } = context

  return new Promise((resolve, reject) => {
    const texts: string[] = []
    let settled = false

    const stop = () => {
      settled = true
      clearTimeout(timer)
      unsubscribe()
      unwatch()
    }
    const finish = (status: TurnOutcome['status']) => {
      if (settled) return
      stop()
      resolve({ status, answer: texts.join('\n') })
    }
    const fail = (error: unknown) => {
      if (settled) return
      stop()
      reject(error)
    }
    const take = (event: SessionEvent) => {
      if (settled || event.turnId !== turn.turnId) return
      if (event.kind === 'assistant.text') texts.push(event.text)
      if (event.kind === 'turn.end') finish(event.status)
    }

    const timer = setTimeout(() => finish('still_running'), turn.timeoutMs)
    const unsubscribe = hub.subscribe(turn.sessionId, {
      userId: actor.userId,
      onEvent: take,
      onAccessChanged: (relation) => {
        try {
          enforce(decideSession(relation, 'session.view'))
        } catch (error) {
          fail(error)
        }
      },
      onSessionDeleted: () => fail(new OmniError('not_found')),
    })
    const unwatch = signOuts.watch(context.credential, actor.userId, () =>
      fail(new OmniError('token_revoked')),
    )

    // Events stored before the subscription are read back from the log.
    sessions
      .events(actor, turn.sessionId, turn.afterSeq)
      .then((events) => events.forEach(take))
      .catch(fail)
  })
}
