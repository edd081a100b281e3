// JSON endpoints for the built-in directory: the first admin on a fresh
// install (POST /api/setup, no sign-in, this machine only) and more users
// added by an admin (POST /api/users).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { decideWorkspace, enforce } from '../access/policy.ts'
import { OmniError } from '../core/errors.ts'
import { appendAudit } from '../storage/audit-store.ts'
import type { Database } from '../storage/schema.ts'
import { getSetting } from '../storage/settings-store.ts'
import type { Authenticate } from './authenticator.ts'
import { addDirectoryUser } from './directory.ts'
import { apiErrorHandler } from './error-reply.ts'
import type { CreateFirstAdmin } from './first-admin.ts'
import type { IdentityLog } from './identity-log.ts'

export interface SetupRoutesOptions {
  db: Kysely<Database>
  workspaceId: string
  /** False with an external issuer, whose directory is not ours. */
  builtin: boolean
  authenticate: Authenticate
  createFirstAdmin: CreateFirstAdmin
  log: IdentityLog
}

// Both endpoints take protocol/api.ts's NewDirectoryUser. The first user is
// always an admin, so setup accepts `admin` but never lets it say false.
const newUserBody = z.strictObject({
  email: z.string().max(320),
  password: z.string().max(1024),
  admin: z.boolean().optional(),
})

const setupBody = newUserBody.extend({ admin: z.literal(true).optional() })

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data

  const issue = parsed.error.issues[0]
  const where = issue?.path.join('.') || 'body'
  throw new OmniError('invalid_input', `Invalid ${where}: ${issue?.message}.`)
}

export function setupRoutes(options: SetupRoutesOptions) {
  const { db, workspaceId, authenticate, createFirstAdmin, log } = options

  const notOurs = () => {
    throw new OmniError(
      'invalid_input',
      'This server signs people in through an external workspace; add people there.',
    )
  }

  async function setup(request: FastifyRequest, reply: FastifyReply) {
    if (!options.builtin) notOurs()
    const { email, password } = parse(setupBody, request.body)
    const address = request.raw.socket.remoteAddress
    const admin = await createFirstAdmin({ email, password }, address)

    log.firstAdminCreated(admin.id, 'api')
    return reply.status(201).send({ email: admin.email, admin: true })
  }

  async function addUser(request: FastifyRequest, reply: FastifyReply) {
    const actor = await authenticate(request.raw)
    if (!options.builtin) notOurs()
    const enabled = (await getSetting(db, workspaceId, 'enabled')) === 'true'
    enforce(decideWorkspace(actor, 'workspace.users.add', enabled))

    const body = parse(newUserBody, request.body)
    const user = await addDirectoryUser(db, workspaceId, {
      email: body.email,
      password: body.password,
      admin: body.admin ?? false,
    })

    // The trail names who was added and with what power; never a password.
    await appendAudit(db, workspaceId, {
      actorId: actor.userId,
      actorEmail: actor.email,
      action: 'user.add',
      targetType: 'directory_user',
      targetId: user.id,
      sessionId: null,
      detail: { email: user.email, admin: user.is_admin === 1 },
    })
    log.directoryUserAdded(user.id, actor.userId)
    return reply
      .status(201)
      .send({ email: user.email, admin: user.is_admin === 1 })
  }

  return async function directoryApi(app: FastifyInstance): Promise<void> {
    app.setErrorHandler(apiErrorHandler(log))

    // `config.action` tells the server's access hook what each route does;
    // the handlers decide again themselves, so they stay safe without it.
    app.post('/api/setup', { config: { action: 'public' } }, setup)
    app.post(
      '/api/users',
      { config: { action: 'workspace.users.add' } },
      addUser,
    )
  }
}

/** Fastify's own 4xx errors (malformed JSON, wrong content type). */
