import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { ApiError, createApiClient } from './api-client.ts'

interface Seen {
  method: string
  url: string
  contentType: string | undefined
  body: string
}

let server: Server
let baseUrl: string
const seen: Seen[] = []

async function readBody(request: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of request) body += chunk
  return body
}

before(async () => {
  server = createServer(async (request, response) => {
    const body = await readBody(request)
    const url = request.url ?? ''
    seen.push({
      method: request.method ?? '',
      url,
      contentType: request.headers['content-type'],
      body,
    })

    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(value))
    }

    if (url === '/api/me') {
      json(200, { email: 'ada@example.com', isAdmin: false, enabled: true })
    } else if (url === '/api/sessions/ses_1/messages') {
      json(409, {
        error: {
          code: 'turn_in_progress',
          message: 'The agent is still working on the previous message.',
        },
      })
    } else if (url === '/api/hosts') {
      json(401, {
        error: { code: 'unauthenticated', message: 'Sign in to continue.' },
      })
    } else if (url.startsWith('/api/sessions/ses_1/grants/')) {
      response.writeHead(204).end()
    } else {
      response.writeHead(502, { 'content-type': 'text/html' })
      response.end('<h1>Bad gateway</h1>')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  baseUrl = `http://127.0.0.1:${port}`
})

after(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('createApiClient', () => {
  it('returns the parsed body of a successful call', async () => {
    const api = createApiClient({ baseUrl })

    const me = await api.me()

    assert.deepEqual(me, {
      email: 'ada@example.com',
      isAdmin: false,
      enabled: true,
    })
  })

  it('turns an error body into an ApiError with its status, code and message', async () => {
    const api = createApiClient({ baseUrl })

    await assert.rejects(api.sendMessage('ses_1', 'hello'), (error) => {
      assert.ok(error instanceof ApiError)
      assert.equal(error.status, 409)
      assert.equal(error.code, 'turn_in_progress')
      assert.equal(
        error.message,
        'The agent is still working on the previous message.',
      )
      return true
    })

    const sent = seen.find((s) => s.url === '/api/sessions/ses_1/messages')
    assert.equal(sent?.method, 'POST')
    assert.equal(sent?.contentType, 'application/json')
    assert.deepEqual(JSON.parse(sent?.body ?? ''), { text: 'hello' })
  })

  it('tells onProblem about a 401 before rejecting', async () => {
    const problems: ApiError[] = []
    const api = createApiClient({ baseUrl, onProblem: (e) => problems.push(e) })

    await assert.rejects(api.hosts(), { code: 'unauthenticated' })

    assert.equal(problems.length, 1)
    assert.equal(problems[0]?.status, 401)
    assert.equal(problems[0]?.message, 'Sign in to continue.')
  })

  it('names the status when the server answers without an error body', async () => {
    const api = createApiClient({ baseUrl })

    await assert.rejects(api.workspace(), {
      name: 'ApiError',
      status: 502,
      code: 'internal',
      message: 'The server answered 502.',
    })
  })

  it('escapes the email in a revoke path and accepts an empty answer', async () => {
    const api = createApiClient({ baseUrl })

    const result = await api.revokeGrant('ses_1', 'bob+x@example.com')

    assert.equal(result, undefined)
    assert.equal(
      seen.at(-1)?.url,
      '/api/sessions/ses_1/grants/bob%2Bx%40example.com',
    )
    assert.equal(seen.at(-1)?.method, 'DELETE')
  })

  it('reports an unreachable server as a network error', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const api = createApiClient({ baseUrl: `http://127.0.0.1:${port}` })

    await assert.rejects(api.me(), {
      status: 0,
      code: 'network',
      message: 'Could not reach the Omnigent server.',
    })
  })
})
