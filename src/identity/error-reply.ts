import type { FastifyReply } from 'fastify'
import { errorBody, type OmniError } from '../core/errors.ts'

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
