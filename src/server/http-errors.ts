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

/** The first problem with a request, as one sentence that names the field
 * and the rule (zod's own wording is written for developers). */
export function describeZodError(error: ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'The request is not valid.'
  const field =
    issue.path.length > 0 ? issue.path.join('.') : 'The request body'

  switch (issue.code) {
    case 'too_big':
      return `${field} must be at most ${issue.maximum}${unitOf(issue.origin)}.`
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) {
        return `${field} must not be empty.`
      }
      return `${field} must be at least ${issue.minimum}${unitOf(issue.origin)}.`
    case 'invalid_type':
      // zod v4 keeps the input out of the issue; its message still says it.
      if (issue.message.endsWith('received undefined')) {
        return `${field} is required.`
      }
      return `${field} must be ${article(issue.expected)}.`
    case 'invalid_value':
      return `${field} must be one of: ${issue.values.join(', ')}.`
    case 'invalid_format':
      return `${field} is not a valid ${issue.format}.`
    case 'unrecognized_keys':
      return `Unrecognized ${issue.keys.length === 1 ? 'key' : 'keys'}: ${issue.keys
        .map((key) => `"${key}"`)
        .join(
          ', ',
        )}; this request does not take ${issue.keys.length === 1 ? 'it' : 'them'}.`
    case 'custom':
      return `${field} ${issue.message}.`
    default:
      return `${field}: ${issue.message}`
  }
}

function unitOf(origin: string): string {
  if (origin === 'string') return ' characters'
  if (origin === 'array' || origin === 'set') return ' items'
  return ''
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
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
