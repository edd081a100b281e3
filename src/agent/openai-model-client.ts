// ModelClient over the OpenAI Chat Completions API, which OpenAI, Databricks
// model serving, vLLM, Ollama and LiteLLM all speak.

import OpenAI from 'openai'
import type {
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions'

import type {
  ModelClient,
  ModelMessage,
  ModelReply,
  ToolSpec,
} from './model-client.ts'
import { ModelError } from './model-client.ts'
import type { ModelSettings } from './model-settings.ts'

export function openAiModelClient(settings: ModelSettings): ModelClient {
  const client = new OpenAI({
    baseURL: settings.baseUrl,
    // Local servers ignore the key, but the SDK refuses to start without one.
    apiKey: settings.apiKey || 'unused',
  })

  return {
    async complete({ messages, tools, signal }): Promise<ModelReply> {
      try {
        const completion = await client.chat.completions.create(
          {
            model: settings.model,
            messages: messages.map(toOpenAiMessage),
            ...(tools.length > 0 ? { tools: tools.map(toOpenAiTool) } : {}),
          },
          { signal },
        )
        return fromCompletion(completion)
      } catch (error) {
        if (signal.aborted) throw error
        throw new ModelError(describeFailure(error, settings))
      }
    },
  }
}

function toOpenAiMessage(message: ModelMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.text }
    case 'tool':
      return {
        role: 'tool',
        tool_call_id: message.callId,
        content: message.output,
      }
    case 'assistant':
      if (message.toolCalls.length === 0) {
        return { role: 'assistant', content: message.text }
      }
      return {
        role: 'assistant',
        content: message.text || null,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      }
  }
}

function toOpenAiTool(tool: ToolSpec): ChatCompletionTool {
  return {
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
    },
  }
}

function fromCompletion(completion: OpenAI.ChatCompletion): ModelReply {
  const message = completion.choices[0]?.message
  if (!message) throw new ModelError('The model returned no answer.')

  const toolCalls = (message.tool_calls ?? []).flatMap((call) =>
    call.type === 'function'
      ? [
          {
            id: call.id,
            name: call.function.name,
            arguments: call.function.arguments,
          },
        ]
      : [],
  )
  return { text: message.content ?? '', toolCalls }
}

/** A message every viewer of the session may read: the endpoint without
 * any credentials in its URL, the vendor's own words, and never the key. */
function describeFailure(error: unknown, settings: ModelSettings): string {
  const endpoint = displayUrl(settings.baseUrl)
  let message: string

  if (error instanceof OpenAI.APIConnectionError) {
    message = `Could not reach the model endpoint ${endpoint}.`
  } else if (error instanceof OpenAI.APIError && error.status) {
    const detail = vendorMessage(error)
    message = `The model endpoint ${endpoint} answered ${error.status}${detail ? `: ${detail}` : '.'}`
  } else {
    message = `The model request failed: ${error instanceof Error ? error.message : String(error)}`
  }

  return redact(message, settings.apiKey)
}

function vendorMessage(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined
  return typeof body?.message === 'string' ? body.message : ''
}

function displayUrl(raw: string): string {
  try {
    const url = new URL(raw)
    return `${url.origin}${url.pathname.replace(/\/$/, '')}`
  } catch {
    return '(unparseable URL)'
  }
}

/** Some vendors echo a masked part of a wrong key back ("sk-proj-****abcd");
 * remove the key and anything shaped like one. */
function redact(text: string, apiKey: string): string {
  const withoutKey =
    apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text
  return withoutKey.replace(/\bsk-[^\s.,;]+/g, '[redacted]')
}
