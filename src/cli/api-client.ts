// A typed fetch wrapper for the HTTP API. The server's `{ error: { code,
// message } }` becomes a CliError with the server's message and an exit code
// a script can branch on.

import type { ErrorBody, ErrorCode } from '../core/errors.ts'
import { CliError, exitCodes, type ExitCode } from './cli-error.ts'

export interface ApiClientOptions {
  baseUrl: string
  /** Called before every request; absent for calls that need no sign-in. */
  accessToken?: () => Promise<string>
  /** Appended to the message of a 401, e.g. "Run: omni login …". */
  signInHint?: string
}

export class ApiClient {
  readonly baseUrl: string
  readonly #options: ApiClientOptions

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl
    this.#options = Object.freeze({ ...options })
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path)
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body)
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body)
  }

  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body)
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path)
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.#options.accessToken) {
      headers.authorization = `Bearer ${await this.#options.accessToken()}`
    }
    if (body !== undefined) headers['content-type'] = 'application/json'

    let response: Response
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (error) {
      throw unreachable(this.baseUrl, error)
    }

    const text = await response.text()
    if (!response.ok) throw this.#failure(response.status, text)
    return (text ? JSON.parse(text) : undefined) as T
  }

  #failure(status: number, text: string): CliError {
    const error = parseError(text)
    const message = error?.message ?? `The server answered HTTP ${status}.`
    const exitCode = exitCodeFor(status, error?.code)
    const hint = this.#options.signInHint
    if (exitCode === exitCodes.auth && hint) {
      return new CliError(`${message} Run: ${hint}`, exitCode)
    }
    return new CliError(message, exitCode)
  }
}

export function exitCodeFor(status: number, code?: ErrorCode): ExitCode {
  if (code === 'host_taken') return exitCodes.hostTaken
  // The request itself was wrong (too long, malformed): a usage error, as
  // if the CLI had caught it before sending.
  if (code === 'invalid_input') return exitCodes.usage
  if (status === 401) return exitCodes.auth
  if (status === 403 || status === 404) return exitCodes.notFound
  return exitCodes.general
}

function parseError(text: string): ErrorBody['error'] | undefined {
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>
    const error = body.error
    if (error && typeof error.message === 'string') return error
  } catch {
    // Not JSON (a proxy's error page): fall back to the status line.
  }
  return undefined
}

export function unreachable(baseUrl: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string } }).cause
  const reason = cause?.code ?? (error as Error).message
  return new CliError(`Could not reach ${baseUrl} (${reason}).`)
}

export const apiPaths = {
  me: '/api/me',
  signIns: '/api/me/sign-ins',
  signOuts: '/api/me/sign-outs',
  workspace: '/api/workspace',
  enablement: '/api/admin/enablement',
  setup: '/api/setup',
  users: '/api/users',
  hosts: '/api/hosts',
  host: (name: string) => `/api/hosts/${encodeURIComponent(name)}`,
  sessions: (scope?: string) =>
    scope ? `/api/sessions?scope=${scope}` : '/api/sessions',
  session: (id: string) => `/api/sessions/${encodeURIComponent(id)}`,
  events: (id: string, after: number) =>
    `/api/sessions/${encodeURIComponent(id)}/events?after=${after}`,
  messages: (id: string) => `/api/sessions/${encodeURIComponent(id)}/messages`,
  grants: (id: string) => `/api/sessions/${encodeURIComponent(id)}/grants`,
  leave: (id: string) => `/api/sessions/${encodeURIComponent(id)}/leave`,
  grant: (id: string, email: string) =>
    `/api/sessions/${encodeURIComponent(id)}/grants/${encodeURIComponent(email)}`,
  tokens: '/api/tokens',
  token: (id: string) => `/api/tokens/${encodeURIComponent(id)}`,
  audit: (sessionId?: string, before?: number) => {
    const query = new URLSearchParams()
    if (sessionId) query.set('session', sessionId)
    if (before !== undefined) query.set('before', String(before))
    const search = query.toString()
    return search ? `/api/audit?${search}` : '/api/audit'
  },
} as const
