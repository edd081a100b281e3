// One catalog of the errors a client may see. Every failure that depends on a
// request, a token or the state of the workspace is an OmniError with one of
// these codes; the HTTP, WebSocket, MCP and CLI edges translate it. Messages
// here are shown to clients, so they never hold a token, cookie or password.

export const errorCatalog = {
  unauthenticated: { status: 401, message: 'Sign in to continue.' },
  token_invalid: { status: 401, message: 'The credential is not valid.' },
  token_expired: { status: 401, message: 'The credential has expired.' },
  token_revoked: { status: 401, message: 'The credential was revoked.' },
  clock_skew: {
    status: 401,
    message:
      "The token's time is off by more than a minute; check this machine's clock.",
  },
  proxy_untrusted: {
    status: 401,
    message:
      'Identity headers are accepted only from the configured proxy; this request is refused.',
  },
  not_enabled: {
    status: 403,
    message:
      'Omnigent is not enabled for this workspace; ask a workspace admin.',
  },
  admin_only: {
    status: 403,
    message: 'Only a workspace admin can do this.',
  },
  needs_read: { status: 403, message: 'This needs Read access.' },
  needs_edit: { status: 403, message: 'This needs Edit access.' },
  owner_only: {
    status: 403,
    message: 'Only the owner of this session can do this.',
  },
  setup_closed: {
    status: 403,
    message: 'This workspace already has an admin.',
  },
  setup_not_local: {
    status: 403,
    message: 'The first admin can only be set up from the server machine.',
  },
  email_unverified: {
    status: 403,
    message: 'Your workspace did not confirm your email address.',
  },
  cross_site: {
    status: 403,
    message:
      'This request came from another site; open Omnigent at its own address.',
  },
  not_found: { status: 404, message: 'Not found.' },
  invalid_input: { status: 400, message: 'The request is not valid.' },
  host_taken: {
    status: 409,
    message: 'This host id is registered to another user.',
  },
  host_offline: { status: 409, message: 'The host is offline.' },
  host_removed: {
    status: 409,
    message: "This session's host was removed; its sessions can no longer run.",
  },
  turn_in_progress: {
    status: 409,
    message: 'The agent is still working on the previous message.',
  },
  conflict: { status: 409, message: 'That already exists.' },
  issuer_unreachable: {
    status: 503,
    message: 'The workspace sign-in is not reachable now; try again shortly.',
  },
  internal: { status: 500, message: 'Something went wrong on the server.' },
} as const satisfies Record<string, { status: number; message: string }>

export type ErrorCode = keyof typeof errorCatalog

/** A domain failure with a stable code; `detail` replaces the catalog
 * message when the client needs a more specific, still secret-free, text. */
export class OmniError extends Error {
  readonly code: ErrorCode
  readonly status: number

  constructor(code: ErrorCode, detail?: string) {
    super(detail ?? errorCatalog[code].message)
    this.name = 'OmniError'
    this.code = code
    this.status = errorCatalog[code].status
  }
}

export function isOmniError(value: unknown): value is OmniError {
  return value instanceof OmniError
}

/** The JSON body every edge sends for an error. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string }
}

export function errorBody(error: OmniError): ErrorBody {
  return { error: { code: error.code, message: error.message } }
}
