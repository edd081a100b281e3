// One turn of the agent: ask the model, run the tools it calls, feed their
// results back, and repeat until it answers without calling a tool. Every
// step is reported as an AgentEvent, in order, before the next one starts.

import { stat } from 'node:fs/promises'

import type { ChatTurn } from '../protocol/host-tunnel.ts'
import type { AgentEvent, TurnStatus } from '../protocol/session-events.ts'
import type { ModelClient, ModelMessage, ToolCall } from './model-client.ts'
import { ModelError } from './model-client.ts'
import type { ModelSettings } from './model-settings.ts'
import { openAiModelClient } from './openai-model-client.ts'
import { conversation } from './system-prompt.ts'
import { findTool, ToolError, tools } from './tools/index.ts'
import type { ToolContext, ToolOutput } from './tools/index.ts'
import type { CommandTracker } from './tools/tool.ts'
import { truncateOutput } from './tools/output-limit.ts'

export const defaultMaxSteps = 25

export interface AgentTurnOptions {
  model: ModelSettings
  dir: string
  history: ChatTurn[]
  message: { text: string; author: string }
  signal: AbortSignal
  onEvent(event: AgentEvent): Promise<void> | void
  /** Folders the file tools refuse; defaults to the Omnigent home. */
  privateDirs?: readonly string[]
  /** Told about each command the agent runs, while it runs. */
  commands?: CommandTracker
  /** Model calls allowed in one turn. */
  maxSteps?: number
  /** Defaults to the OpenAI Chat Completions client for `model`. */
  client?: ModelClient
}

export interface AgentTurnResult {
  status: TurnStatus
  error?: string
}

export async function runAgentTurn(
  options: AgentTurnOptions,
): Promise<AgentTurnResult> {
  const { dir, signal } = options
  const emit = async (event: AgentEvent) => options.onEvent(event)
  const fail = async (message: string): Promise<AgentTurnResult> => {
    const safe = withoutKey(message, options.model.apiKey)
    await emit({ kind: 'agent.error', message: safe })
    return { status: 'failed', error: safe }
  }

  if (!(await isDirectory(dir))) {
    return fail(`The working directory ${dir} does not exist on this host.`)
  }

  const client = options.client ?? openAiModelClient(options.model)
  const messages = conversation(dir, options.history, options.message)
  const maxSteps = options.maxSteps ?? defaultMaxSteps
  const context: ToolContext = {
    dir,
    signal,
    ...(options.privateDirs ? { privateDirs: options.privateDirs } : {}),
    ...(options.commands ? { commands: options.commands } : {}),
  }

  for (let step = 0; step < maxSteps; step++) {
    if (signal.aborted) return { status: 'interrupted' }

    let reply
    try {
      reply = await client.complete({ messages, tools, signal })
    } catch (error) {
      if (signal.aborted) return { status: 'interrupted' }
      return fail(describeModelFailure(error))
    }

    if (reply.text.trim())
      await emit({ kind: 'assistant.text', text: reply.text })
    messages.push({
      role: 'assistant',
      text: reply.text,
      toolCalls: reply.toolCalls,
    })
    if (reply.toolCalls.length === 0) return { status: 'completed' }

    for (const call of reply.toolCalls) {
      if (signal.aborted) break
      messages.push(await runToolCall(call, context, emit))
    }
  }

  if (signal.aborted) return { status: 'interrupted' }
  return fail(
    `The agent stopped after ${maxSteps} model calls without finishing the turn.`,
  )
}

async function runToolCall(
  call: ToolCall,
  context: ToolContext,
  emit: (event: AgentEvent) => Promise<void>,
): Promise<ModelMessage> {
  const parsed = parseArguments(call.arguments)
  await emit({
    kind: 'tool.call',
    callId: call.id,
    tool: call.name,
    args: parsed.args,
  })

  const result = parsed.error
    ? { output: parsed.error, isError: true }
    : await runTool(call.name, parsed.args, context)
  const output = truncateOutput(result.output)

  await emit({
    kind: 'tool.result',
    callId: call.id,
    output,
    isError: result.isError,
  })
  return { role: 'tool', callId: call.id, output }
}

async function runTool(
  name: string,
  args: unknown,
  context: ToolContext,
): Promise<ToolOutput> {
  const tool = findTool(name)
  if (!tool)
    return { output: `There is no tool named "${name}".`, isError: true }

  try {
    return await tool.run(args as Record<string, unknown>, context)
  } catch (error) {
    // Tool failures go back to the model, which can usually recover.
    const message = error instanceof Error ? error.message : String(error)
    const prefix = error instanceof ToolError ? '' : `${name} failed: `
    return { output: prefix + message, isError: true }
  }
}

function parseArguments(raw: string): { args: unknown; error?: string } {
  let args: unknown
  try {
    args = JSON.parse(raw || '{}')
  } catch {
    return { args: raw, error: 'The tool arguments are not valid JSON.' }
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return { args, error: 'The tool arguments must be a JSON object.' }
  }
  return { args }
}

function describeModelFailure(error: unknown): string {
  if (error instanceof ModelError) return error.message
  const detail = error instanceof Error ? error.message : String(error)
  return `The model request failed: ${detail}`
}

/** A last guard: no event carries the key, whatever produced the text. */
function withoutKey(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text
}

async function isDirectory(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null)
  return info?.isDirectory() ?? false
}
