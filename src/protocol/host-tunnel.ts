// Frames on the WebSocket between a host daemon and the server. The host
// dials out to `GET /api/hosts/connect` with its owner's bearer token and the
// headers below; the server refuses a host id that belongs to someone else
// with HTTP 409 before it accepts the upgrade.

import type { AgentEvent, TurnStatus } from './session-events.ts'

export const hostTunnelPath = '/api/hosts/connect'
export const hostIdHeader = 'x-omni-host-id'
export const hostNameHeader = 'x-omni-host-name'

/** One prior exchange, so the agent on the host sees the conversation. */
export type ChatTurn =
  | { role: 'user'; text: string; author: string }
  | { role: 'assistant'; text: string }

export type ServerToHost =
  | { type: 'welcome'; hostId: string; hostName: string; owner: string }
  | {
      type: 'turn.start'
      sessionId: string
      turnId: string
      dir: string
      history: ChatTurn[]
      message: { text: string; author: string }
    }
  | { type: 'turn.interrupt'; sessionId: string; turnId: string }

export type HostToServer =
  | { type: 'turn.event'; sessionId: string; turnId: string; event: AgentEvent }
  | {
      type: 'turn.end'
      sessionId: string
      turnId: string
      status: TurnStatus
      error?: string
    }
