// Every lifecycle line the host daemon writes, in one place so their wording
// and levels read together. None of them takes a token.

import type { Logger } from '../core/log.ts'
import type { TurnStatus } from '../protocol/session-events.ts'

export const hostLog = {
  connecting(log: Logger, url: string, attempt: number) {
    log.info({ url, attempt }, 'host connecting')
  },

  connected(log: Logger, hostName: string, owner: string) {
    log.info({ hostName, owner }, 'host connected')
  },

  refused(log: Logger, status: number, code: string, message: string) {
    log.warn({ status, code, message }, 'host refused by server')
  },

  connectFailed(log: Logger, reason: string) {
    log.warn({ reason }, 'host connection failed')
  },

  disconnected(log: Logger, code: number, reason: string) {
    log.warn({ code, reason }, 'host disconnected')
  },

  reconnecting(log: Logger, delayMs: number) {
    log.info({ delayMs }, 'host reconnecting')
  },

  heartbeatMissed(log: Logger, waitedMs: number) {
    log.warn({ waitedMs }, 'host heartbeat missed')
  },

  crashed(log: Logger, error: unknown) {
    log.error({ err: error }, 'host daemon failed')
  },

  stopped(log: Logger, reason: string) {
    log.info({ reason }, 'host stopped')
  },

  badFrame(log: Logger, reason: string) {
    log.warn({ reason }, 'host ignored a frame')
  },

  turnStarted(log: Logger, sessionId: string, turnId: string, dir: string) {
    log.info({ sessionId, turnId, dir }, 'turn started')
  },

  turnInterrupting(log: Logger, sessionId: string, turnId: string) {
    log.info({ sessionId, turnId }, 'turn interrupting')
  },

  turnEnded(
    log: Logger,
    sessionId: string,
    turnId: string,
    status: TurnStatus,
    durationMs: number,
  ) {
    log.info({ sessionId, turnId, status, durationMs }, 'turn ended')
  },

  turnRefused(log: Logger, sessionId: string, turnId: string, reason: string) {
    log.warn({ sessionId, turnId, reason }, 'turn refused')
  },
}
