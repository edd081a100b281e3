// A typed wrapper over the server's HTTP API. Every failure becomes an
// ApiError carrying the server's code and message, so pages can show the
// server's own words and the app can react to 401 and `not_enabled`.

import type { ErrorBody, ErrorCode } from '../core/errors.ts'
import type {
  CreateSession,
  Host,
  Me,
  MessageAccepted,
  PutGrant,
  SessionDetail,
  SessionSummary,
  WorkspaceStatus,
} from '../protocol/api.ts'

/** `network`: the server could not be reached at all. */
export type ApiErrorCode = ErrorCode | 'network'

export class ApiError extends Error {
  readonly status: number
  readonly code: ApiErrorCode

  constructor(status: number, code: ApiErrorCode, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

export interface ApiClientOptions {
  /** Empty in the browser (same origin); an origin in tests. */
  baseUrl?: string
  /** Called before the error is thrown, for app-wide states: signed out,
   * not enabled. */
  onProblem?: (error: ApiError) => void
}

export type SessionScope = 'mine' | 'shared' | 'all'

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? ''
  const onProblem = options.onProblem

  async function call<T>(method: string, path: string, body?: unknown) {
    try {
      return await send<T>(baseUrl, method, path, body)
    } catch (error) {
      if (error instanceof ApiError && onProblem) onProblem(error)
      throw error
    }
  }

  const session = (id: string) => `/api/sessions/${encodeURIComponent(id)}`

  return Object.freeze({
    me: () => call<Me>('GET', '/api/me'),
    workspace: () => call<WorkspaceStatus>('GET', '/api/workspace'),
    setEnablement: (enabled: boolean) =>
      call<unknown>('POST', '/api/admin/enablement', { enabled }),

    hosts: () => call<Host[]>('GET', '/api/hosts'),
    removeHost: (name: string) =>
      call<unknown>('DELETE', `/api/hosts/${encodeURIComponent(name)}`),

    sessions: (scope: SessionScope) =>
      call<SessionSummary[]>('GET', `/api/sessions?scope=${scope}`),
    createSession: (input: CreateSession) =>
      call<SessionDetail>('POST', '/api/sessions', input),
    session: (id: string) => call<SessionDetail>('GET', session(id)),
    rename: (id: string, title: string) =>
      call<unknown>('PATCH', session(id), { title }),
    deleteSession: (id: string) => call<unknown>('DELETE', session(id)),
    sendMessage: (id: string, text: string) =>
      call<MessageAccepted>('POST', `${session(id)}/messages`, { text }),
    interrupt: (id: string) =>
      call<unknown>('POST', `${session(id)}/interrupt`),

    putGrant: (id: string, grant: PutGrant) =>
      call<unknown>('PUT', `${session(id)}/grants`, grant),
    revokeGrant: (id: string, email: string) =>
      call<unknown>(
        'DELETE',
        `${session(id)}/grants/${encodeURIComponent(email)}`,
      ),
    leave: (id: string) => call<unknown>('POST', `${session(id)}/leave`),

    logout: () => call<unknown>('POST', '/auth/logout'),
  })
}

export type ApiClient = ReturnType<typeof createApiClient>

async function send<T>(
  baseUrl: string,
  method: string,
  path: string,
  body: unknown,
): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  }
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' }
    init.body = JSON.stringify(body)
  }

  let response: Response
  try {
    response = await fetch(`${baseUrl}${path}`, init)
  } catch {
    throw new ApiError(0, 'network', 'Could not reach the Omnigent server.')
  }

  const payload = await readJson(response)
  if (!response.ok) throw toApiError(response.status, payload)
  return payload as T
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text()
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Any failure as an ApiError, so pages show one kind of alert. */
export function asApiError(failure: unknown): ApiError {
  if (failure instanceof ApiError) return failure
  return new ApiError(0, 'internal', 'Something went wrong in the app.')
}

/** The server's `{ error: { code, message } }`, or a plain stand-in when a
 * proxy or crash answered with something else. */
export function toApiError(status: number, payload: unknown): ApiError {
  if (isErrorBody(payload)) {
    return new ApiError(status, payload.error.code, payload.error.message)
  }
  const code: ErrorCode = status === 401 ? 'unauthenticated' : 'internal'
  return new ApiError(status, code, `The server answered ${status}.`)
}

function isErrorBody(payload: unknown): payload is ErrorBody {
  if (typeof payload !== 'object' || payload === null) return false
  const error = (payload as { error?: unknown }).error
  if (typeof error !== 'object' || error === null) return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  return typeof code === 'string' && typeof message === 'string'
}
