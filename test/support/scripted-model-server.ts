// A stand-in for a model vendor: a real HTTP server on 127.0.0.1 that speaks
// the OpenAI Chat Completions protocol and answers from a script, so tests
// drive the agent through the same SDK and wire format it uses in production.

import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ScriptReply {
  content?: string
  toolCalls?: Array<{ name: string; arguments: object }>
  /** Wait this long before answering, so a test can act mid-turn. */
  delayMs?: number
}

export type ScriptStep =
  | ScriptReply
  | ((request: ChatRequestBody) => ScriptReply | Promise<ScriptReply>)

/** The parts of a Chat Completions request body tests look at. */
export interface ChatRequestBody {
  model: string
  messages: Array<{
    role: string
    content?: unknown
    tool_calls?: Array<{
      id: string
      function: { name: string; arguments: string }
    }>
    tool_call_id?: string
  }>
  tools?: Array<{ type: string; function: { name: string } }>
  stream?: boolean
  stream_options?: { include_usage?: boolean }
  [key: string]: unknown
}

export interface RecordedRequest {
  method: string
  path: string
  body: ChatRequestBody | null
}

export interface ScriptedModelServer {
  baseUrl: string
  requests: RecordedRequest[]
  push(...steps: ScriptStep[]): void
  close(): Promise<void>
}

export async function startScriptedModelServer(options: {
  apiKey: string
  script: ScriptStep[]
}): Promise<ScriptedModelServer> {
  const script = [...options.script]
  const requests: RecordedRequest[] = []
  let callCount = 0

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      sendError(res, 500, 'server_error', `Scripted model server: ${error}`)
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const raw = await readBody(req)
    const body = raw ? (JSON.parse(raw) as ChatRequestBody) : null
    requests.push({ method: req.method ?? 'GET', path, body })

    if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
      const message = 'Incorrect API key provided.'
      return sendError(res, 401, 'invalid_request_error', message)
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: [modelEntry()] })
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendError(res, 404, 'invalid_request_error', `No route ${path}`)
    }
    if (!body || !Array.isArray(body.messages)) {
      return sendError(res, 400, 'invalid_request_error', 'messages missing')
    }

    callCount += 1
    const step = script.shift()
    if (!step) {
      // x-should-retry tells the SDK not to retry: a script running out is
      // a test failure, not a transient fault.
      res.setHeader('x-should-retry', 'false')
      const message = `The scripted model server has no reply left for request ${callCount}.`
      return sendError(res, 500, 'server_error', message)
    }

    const reply = typeof step === 'function' ? await step(body) : step
    if (reply.delayMs) await waitOrClose(req, reply.delayMs)
    if (res.destroyed || req.socket.destroyed) return

    const id = `chatcmpl-${callCount}`
    if (body.stream) return sendStream(res, id, body, reply)
    sendJson(res, 200, completion(id, body, reply))
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    push: (...steps) => void script.push(...steps),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function toolCallsOf(reply: ScriptReply, id: string) {
  return (reply.toolCalls ?? []).map((call, index) => ({
    id: `call_${id.slice('chatcmpl-'.length)}_${index}`,
    type: 'function' as const,
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }))
}

function usageOf(body: ChatRequestBody, reply: ScriptReply) {
  const prompt = Math.ceil(JSON.stringify(body.messages).length / 4)
  const completionTokens = Math.ceil(JSON.stringify(reply).length / 4)
  return {
    prompt_tokens: prompt,
    completion_tokens: completionTokens,
    total_tokens: prompt + completionTokens,
  }
}

function completion(id: string, body: ChatRequestBody, reply: ScriptReply) {
  const toolCalls = toolCallsOf(reply, id)
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.content ?? null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
        logprobs: null,
      },
    ],
    usage: usageOf(body, reply),
  }
}

function sendStream(
  res: ServerResponse,
  id: string,
  body: ChatRequestBody,
  reply: ScriptReply,
) {
  const toolCalls = toolCallsOf(reply, id)
  const created = Math.floor(Date.now() / 1000)
  const chunk = (delta: object, finish: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: body.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  })

  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
  })
  const send = (data: object) => res.write(`data: ${JSON.stringify(data)}\n\n`)

  send(chunk({ role: 'assistant', content: '' }))
  for (const piece of splitInTwo(reply.content ?? '')) {
    send(chunk({ content: piece }))
  }
  toolCalls.forEach((call, index) => {
    const [head, tail] = splitInTwo(call.function.arguments)
    send(chunk({ tool_calls: [toolDelta(index, call, head ?? '')] }))
    if (tail)
      send(chunk({ tool_calls: [{ index, function: { arguments: tail } }] }))
  })
  send(chunk({}, toolCalls.length > 0 ? 'tool_calls' : 'stop'))

  if (body.stream_options?.include_usage) {
    send({ ...chunk({}), choices: [], usage: usageOf(body, reply) })
  }
  res.end('data: [DONE]\n\n')
}

function toolDelta(
  index: number,
  call: ReturnType<typeof toolCallsOf>[number],
  args: string,
) {
  return {
    index,
    id: call.id,
    type: 'function',
    function: { name: call.function.name, arguments: args },
  }
}

/** Two pieces, so clients have to join deltas as they would for a vendor. */
function splitInTwo(text: string): string[] {
  if (text.length < 2) return text ? [text] : []
  const middle = Math.floor(text.length / 2)
  return [text.slice(0, middle), text.slice(middle)]
}

function modelEntry() {
  return { id: 'scripted', object: 'model', created: 0, owned_by: 'omnigent' }
}

function sendJson(res: ServerResponse, status: number, body: object) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** OpenAI's error shape, which the SDK turns into an APIError. */
function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
) {
  if (res.headersSent) return void res.destroy()
  sendJson(res, status, { error: { message, type, param: null, code: null } })
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Resolves after `ms`, or as soon as the client goes away. */
function waitOrClose(req: IncomingMessage, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    req.socket.once('close', done)
    function done() {
      clearTimeout(timer)
      req.socket.off('close', done)
      resolve()
    }
  })
}
