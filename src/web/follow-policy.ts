// How the session view's follow socket behaves: where it connects, when it
// gives up and what it tells the viewer, and how long it waits to retry.

import { followCloseCodes, followPath } from '../protocol/follow.ts'

export function followUrl(
  origin: string,
  sessionId: string,
  afterSeq: number,
): string {
  const base = origin.replace(/^http/, 'ws')
  return `${base}${followPath(sessionId)}?after=${afterSeq}`
}

export interface FollowEnd {
  code: number
  reason: string
}

const endings: Record<number, string> = {
  [followCloseCodes.accessRevoked]:
    'You no longer have access to this session.',
  [followCloseCodes.sessionDeleted]: 'This session was deleted.',
  [followCloseCodes.unauthenticated]:
    'Your sign-in has ended. Sign in again to keep following.',
  [followCloseCodes.notEnabled]:
    'Omnigent is not enabled for this workspace; ask a workspace admin.',
}

/** A close that must not be retried, with the reason shown to the viewer;
 * null means the connection dropped and a retry may bring it back. */
export function finalClose(code: number): FollowEnd | null {
  const reason = endings[code]
  return reason === undefined ? null : { code, reason }
}

const firstDelayMs = 500
const maxDelayMs = 10_000

/** Exponential backoff: 0.5 s, 1 s, 2 s … capped at 10 s. */
export function retryDelay(attempt: number): number {
  return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.max(0, attempt))
}
