// The seam between the agent loop and a model vendor. The loop speaks only
// these neutral shapes; each vendor's client translates them to its wire
// format (OpenAI Chat Completions today, Anthropic Messages later).

export interface ToolCall {
  id: string
  name: string
  /** The raw JSON text the model produced; the loop parses it. */
  arguments: string
}

export type ModelMessage =
  | { role: 'system'; text: string }
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string; toolCalls: ToolCall[] }
  | { role: 'tool'; callId: string; output: string }

export interface ToolSpec {
  name: string
  description: string
  /** A JSON Schema object describing the tool's arguments. */
  parameters: Record<string, unknown>
}

export interface ModelReply {
  text: string
  toolCalls: ToolCall[]
}

export interface ModelClient {
  /** One completion. Throws `ModelError` with a message that is safe to
   * show to every viewer of the session (it never holds the API key). */
  complete(request: {
    messages: ModelMessage[]
    tools: readonly ToolSpec[]
    signal: AbortSignal
  }): Promise<ModelReply>
}

export class ModelError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ModelError'
  }
}
