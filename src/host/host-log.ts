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

  refusedForGood(log: Logger, status: number, code: string, message: string) {
    log.error({ status, code, message }, 'host refused for good')
  },

  waitingForEnablement(log: Logger) {
    log.warn('host waiting for enablement')
  },

  replaced(log: Logger) {
    log.error('host replaced by a newer connection')
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

  leftoversStopped(log: Logger, pids: number[]) {
    log.warn({ pids }, 'leftover commands stopped')
  },
}

type Fields = Record<string, unknown>

/** How each line reads in a terminal, by its message; a line missing here
 * (or answering null) is not shown there. The final word on a permanent
 * refusal is the one line `omni host` ends with, so it is not repeated. */
export const hostLines: Record<string, (fields: Fields) => string | null> = {
  'host connected': (f) => `Host ${f.hostName} is connected as ${f.owner}.`,
  'host refused by server': (f) =>
    `The server refused the connection: ${f.message}`,
  'host waiting for enablement': () =>
    'Omnigent is not enabled for this workspace; waiting for an admin to ' +
    'turn it on (retrying).',
  'host connection failed': (f) => `Could not connect: ${f.reason}.`,
  'host disconnected': (f) =>
    `Disconnected from the server${f.reason ? ` (${f.reason})` : ''}.`,
  'host reconnecting': (f) => `Reconnecting in ${seconds(Number(f.delayMs))}…`,
  'host heartbeat missed': () => 'The server stopped answering.',
  'host daemon failed': (f) => `The host failed: ${errorText(f.err)}`,
  'host stopped': (f) => (f.reason === 'stopped' ? 'Host stopped.' : null),
  'host ignored a frame': (f) =>
    `Ignored a frame from the server: ${f.reason}.`,
  'turn started': (f) =>
    `Turn ${f.turnId} started in session ${f.sessionId} (${f.dir}).`,
  'turn interrupting': (f) => `Interrupting turn ${f.turnId}…`,
  'turn ended': (f) =>
    `Turn ${f.turnId} ${f.status} after ${seconds(Number(f.durationMs))}.`,
  'turn refused': (f) => `Refused turn ${f.turnId}: ${f.reason}`,
  'leftover commands stopped': (f) =>
    `Stopped commands an earlier host left running (process groups ${String(
      f.pids,
    ).replaceAll(',', ', ')}).`,
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`
}

function errorText(err: unknown): string {
  const message = (err as { message?: unknown } | undefined)?.message
  return typeof message === 'string' ? message : String(err)
}
