// Turns any failure into the one error body clients see. 4xx explain; 5xx
// stay generic and are logged in full on the server only.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { ZodError } from 'zod'
import { OmniError, errorBody } from '../core/errors.ts'

export function toOmniError(error: unknown): OmniError {
  if (error instanceof OmniError) return error
  if (error instanceof ZodError) {
    return new OmniError('invalid_input', describeZodError(error))
  }

  const status = (error as FastifyError | undefined)?.statusCode
  if (status === 404) return new OmniError('not_found')
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's own 4xx (a malformed JSON body, a body too large).
    return new OmniError('invalid_input', (error as Error).message)
  }
  return new OmniError('internal')
}

export function describeZodError(error: ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'The request is not valid.'
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  return `${where}${issue.message}`
}

export function replyWithError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): FastifyReply {
  const omni = toOmniError(error)
  if (omni.status >= 500) {
    request.log.error({ err: error }, 'request failed')
  } else {
    request.log.info({ code: omni.code }, 'request refused')
  }

  if (omni.status === 401) {
    void reply.header('www-authenticate', 'Bearer realm="omnigent"')
  }
  return reply.status(omni.status).send(errorBody(omni))
}
