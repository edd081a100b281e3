// Frames on a viewer's WebSocket, `GET /api/sessions/:id/follow?after=N`.
// The server sends every stored event with seq > N, in order, then each new
// one as it is stored. A viewer that reconnects passes the last seq it saw.

import type { SessionEvent } from './session-events.ts'
import type { AccessLevel } from './api.ts'

export const followPath = (sessionId: string) =>
  `/api/sessions/${encodeURIComponent(sessionId)}/follow`

export type FollowFrame =
  | { type: 'event'; event: SessionEvent }
  | { type: 'access'; level: AccessLevel }

/** Close codes: the viewer lost access (4404) or the session is gone. */
export const followCloseCodes = {
  accessRevoked: 4404,
  sessionDeleted: 4410,
  unauthenticated: 4401,
  notEnabled: 4403,
} as const
