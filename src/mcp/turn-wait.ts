// Waits for a turn to end, for callers (MCP clients) that want the agent's
// answer in one call rather than a live stream.

import type { Actor } from '../access/policy.ts'
import type { SessionEvent, TurnStatus } from '../protocol/session-events.ts'
import type { LiveHub } from '../sessions/live-hub.ts'
import type { SessionService } from '../sessions/session-service.ts'

export interface TurnOutcome {
  status: TurnStatus | 'still_running'
  answer: string
}

export function waitForTurnEnd(
  hub: LiveHub,
  sessions: SessionService,
  actor: Actor,
  turn: {
    sessionId: string
    turnId: string
    afterSeq: number
    timeoutMs: number
  },
): Promise<TurnOutcome> {
  return new Promise((resolve) => {
    const texts: string[] = []
    let settled = false

    const finish = (status: TurnOutcome['status']) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      unsubscribe()
      resolve({ status, answer: texts.join('\n') })
    }
    const take = (event: SessionEvent) => {
      if (event.turnId !== turn.turnId) return
      if (event.kind === 'assistant.text') texts.push(event.text)
      if (event.kind === 'turn.end') finish(event.status)
    }

    const timer = setTimeout(() => finish('still_running'), turn.timeoutMs)
    const unsubscribe = hub.subscribe(turn.sessionId, {
      userId: actor.userId,
      onEvent: take,
      onAccessChanged: () => {},
      onSessionDeleted: () => finish('failed'),
    })

    // Events stored before the subscription are read back from the log.
    sessions
      .events(actor, turn.sessionId, turn.afterSeq)
      .then((events) => events.forEach(take))
      .catch(() => finish('failed'))
  })
}
