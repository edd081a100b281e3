import type { FastifyReply, FastifyRequest } from 'fastify'
import { errorBody, isOmniError, OmniError } from '../core/errors.ts'

/** Sends an OmniError as JSON; a 401 carries the Bearer challenge of
 * RFC 6750 §3, with `invalid_token` when a token was presented. */
export function sendError(reply: FastifyReply, error: OmniError) {
  if (error.status === 401) {
    const tokenProblem = [
      'token_invalid',
      'token_expired',
      'token_revoked',
      'clock_skew',
    ].includes(error.code)
    reply.header(
      'www-authenticate',
      tokenProblem ? 'Bearer error="invalid_token"' : 'Bearer',
    )
  }
  return reply.status(error.status).send(errorBody(error))
}

/** The error handler of identity's JSON routes: a domain error as its
 * catalog entry, a request Fastify could not take (bad JSON, say) as
 * `invalid_input`, anything else logged and answered with a plain 500. */
export function apiErrorHandler(log: { apiFault(error: unknown): void }) {
  return function replyWithApiError(
    error: unknown,
    _request: FastifyRequest,
    reply: FastifyReply,
  ) {
    if (isOmniError(error)) return sendError(reply, error)
    if (isClientError(error)) {
      return sendError(reply, new OmniError('invalid_input'))
    }
    log.apiFault(error)
    return sendError(reply, new OmniError('internal'))
  }
}

function isClientError(error: unknown): boolean {
  const status = (error as { statusCode?: unknown }).statusCode
  return typeof status === 'number' && status >= 400 && status < 500
}
