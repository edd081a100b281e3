// The CLI's sign-ins and sign-outs on the access trail. `omni login` signs
// in at the issuer itself (the built-in workspace or an external one), so
// the server sees only the tokens it gets; right after, the CLI reports the
// sign-in with its new access token, and `omni logout` reports the sign-out
// before it revokes. Who is recorded always comes from the verified token;
// the body only says which flow was used.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { auditSignOut } from '../access/sign-in-audit.ts'
import { OmniError } from '../core/errors.ts'
import type { CliSignIn, Me } from '../protocol/api.ts'
import type { Database } from '../storage/schema.ts'
import { getSetting } from '../storage/settings-store.ts'
import type { Authenticator } from './authenticator.ts'
import { apiErrorHandler } from './error-reply.ts'
import type { IdentityLog } from './identity-log.ts'

export interface CliSignInRoutesOptions {
  db: Kysely<Database>
  workspaceId: string
  authenticator: Authenticator
  log: IdentityLog
}

const signInBody = z.strictObject({
  method: z.enum(['cli', 'device']),
}) satisfies z.ZodType<CliSignIn>

export function cliSignInRoutes(options: CliSignInRoutesOptions) {
  const { db, workspaceId, authenticator, log } = options

  async function signedIn(request: FastifyRequest, reply: FastifyReply) {
    const parsed = signInBody.safeParse(request.body ?? {})
    if (!parsed.success) {
      throw new OmniError(
        'invalid_input',
        'Invalid method: expected "cli" or "device".',
      )
    }

    const actor = await authenticator.signIn(request.raw, parsed.data.method)
    const enabled = (await getSetting(db, workspaceId, 'enabled')) === 'true'
    log.cliSignInRecorded(actor.userId, parsed.data.method)
    const me: Me = { email: actor.email, isAdmin: actor.isAdmin, enabled }
    return reply.status(201).header('cache-control', 'no-store').send(me)
  }

  async function signedOut(request: FastifyRequest, reply: FastifyReply) {
    const actor = await authenticator.authenticate(request.raw)
    if (authenticator.credentialOf(request.raw)?.kind !== 'issuer-token') {
      throw new OmniError(
        'invalid_input',
        'Only a sign-in from omni login signs out here; the web app signs out at /auth/logout.',
      )
    }

    await auditSignOut(db, workspaceId, actor, 'cli')
    log.signedOut(actor.userId, 'cli')
    return reply.status(204).send()
  }

  return async function cliSignInApi(app: FastifyInstance): Promise<void> {
    app.setErrorHandler(apiErrorHandler(log))

    app.post('/api/me/sign-ins', { config: { action: 'sign-in' } }, signedIn)
    app.post(
      '/api/me/sign-outs',
      { config: { action: 'signed-in' } },
      signedOut,
    )
  }
}
