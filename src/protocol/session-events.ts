// What a session's event log holds, as every client sees it. The server
// assigns `seq` (1, 2, 3, … per session) when it stores an event, before any
// viewer is shown it.

/** Work the agent reports while it answers one turn. */
export type AgentEvent =
  | { kind: 'assistant.text'; text: string }
  | { kind: 'tool.call'; callId: string; tool: string; args: unknown }
  | { kind: 'tool.result'; callId: string; output: string; isError: boolean }
  | { kind: 'agent.error'; message: string }

export type TurnStatus = 'completed' | 'failed' | 'interrupted'

export type EventBody =
  | { kind: 'message'; text: string }
  | {
      kind: 'turn.end'
      status: TurnStatus
      error?: string
      /** Who interrupted the turn, when a person did. */
      by?: string
    }
  | { kind: 'session.renamed'; title: string }
  | AgentEvent

export type EventKind = EventBody['kind']

/** `author` is the email of the person whose action this is; it is null for
 * what the agent and the system produce, never the owner by default. */
export type SessionEvent = EventBody & {
  seq: number
  sessionId: string
  turnId: string | null
  author: string | null
  at: string
}
