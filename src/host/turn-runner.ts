// Runs the turns the server asks for: one at a time per session, each
// event sent in order, then the turn's end. A turn belongs to the tunnel
// connection it arrived on and answers only there.

import { homedir } from 'node:os'
import { join } from 'node:path'

import { runAgentTurn } from '../agent/agent-loop.ts'
import type { ModelSettings } from '../agent/model-settings.ts'
import type { CommandTracker } from '../agent/tools/tool.ts'
import { noModelMessage } from '../agent/model-settings.ts'
import { errorCatalog } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import type { HostToServer, ServerToHost } from '../protocol/host-tunnel.ts'
import type { TurnStatus } from '../protocol/session-events.ts'
import { hostLog } from './host-log.ts'

type TurnStart = Extract<ServerToHost, { type: 'turn.start' }>
type TurnInterrupt = Extract<ServerToHost, { type: 'turn.interrupt' }>
export type SendFrame = (frame: HostToServer) => Promise<void>

interface RunningTurn {
  turnId: string
  controller: AbortController
  done: Promise<void>
}

export interface TurnRunner {
  start(frame: TurnStart, send: SendFrame): void
  interrupt(frame: TurnInterrupt): void
  /** Aborts every running turn and resolves once each has ended. */
  abortAll(): Promise<void>
}

export function createTurnRunner(options: {
  model: ModelSettings | null
  log: Logger
  privateDirs?: readonly string[]
  commands?: CommandTracker
}): TurnRunner {
  const { model, log, privateDirs, commands } = options
  const running = new Map<string, RunningTurn>()

  function start(frame: TurnStart, send: SendFrame) {
    const { sessionId, turnId } = frame
    if (running.has(sessionId)) {
      const error = errorCatalog.turn_in_progress.message
      hostLog.turnRefused(log, sessionId, turnId, error)
      void send({
        type: 'turn.end',
        sessionId,
        turnId,
        status: 'failed',
        error,
      })
      return
    }

    const controller = new AbortController()
    const done = runTurn(frame, send, controller.signal).finally(() =>
      running.delete(sessionId),
    )
    running.set(sessionId, { turnId, controller, done })
  }

  async function runTurn(
    frame: TurnStart,
    send: SendFrame,
    signal: AbortSignal,
  ) {
    const { sessionId, turnId } = frame
    const dir = expandHome(frame.dir)
    const started = Date.now()
    hostLog.turnStarted(log, sessionId, turnId, dir)

    const result = model
      ? await runAgentTurn({
          model,
          dir,
          history: frame.history,
          message: frame.message,
          signal,
          ...(privateDirs ? { privateDirs } : {}),
          ...(commands ? { commands } : {}),
          onEvent: (event) =>
            send({ type: 'turn.event', sessionId, turnId, event }),
        }).catch((error: unknown) =>
          failed(`The agent failed: ${String(error)}`),
        )
      : await reportNoModel(frame, send)

    await send({ type: 'turn.end', sessionId, turnId, ...result })
    hostLog.turnEnded(
      log,
      sessionId,
      turnId,
      result.status,
      Date.now() - started,
    )
  }

  function interrupt({ sessionId, turnId }: TurnInterrupt) {
    const turn = running.get(sessionId)
    if (!turn || turn.turnId !== turnId) return
    hostLog.turnInterrupting(log, sessionId, turnId)
    turn.controller.abort()
  }

  async function abortAll() {
    const turns = [...running.values()]
    for (const turn of turns) turn.controller.abort()
    await Promise.all(turns.map((turn) => turn.done))
  }

  return { start, interrupt, abortAll }
}

async function reportNoModel(frame: TurnStart, send: SendFrame) {
  const { sessionId, turnId } = frame
  const event = { kind: 'agent.error' as const, message: noModelMessage }
  await send({ type: 'turn.event', sessionId, turnId, event })
  return failed(noModelMessage)
}

function failed(error: string): { status: TurnStatus; error: string } {
  return { status: 'failed', error }
}

/** Sessions may name their directory from the host owner's home. */
function expandHome(dir: string): string {
  if (dir === '~') return homedir()
  if (dir.startsWith('~/')) return join(homedir(), dir.slice(2))
  return dir
}
