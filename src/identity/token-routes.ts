// Personal access tokens over HTTP: POST /api/tokens makes one and shows its
// secret once, GET /api/tokens lists the caller's live tokens, DELETE
// /api/tokens/:id revokes one. A token may be made from a request that was
// itself authenticated with a token; the trail records which credential
// made it, so a leaked token that mints others can be traced.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import {
  decideWorkspace,
  enforce,
  type Actor,
  type WorkspaceAction,
} from '../access/policy.ts'
import { OmniError } from '../core/errors.ts'
import type { CreateToken } from '../protocol/api.ts'
import { appendAudit } from '../storage/audit-store.ts'
import type { Database } from '../storage/schema.ts'
import { getSetting } from '../storage/settings-store.ts'
import {
  defaultTokenDays,
  maxTokenDays,
  type AccessTokens,
} from './access-tokens.ts'
import type { Authenticator } from './authenticator.ts'
import { apiErrorHandler } from './error-reply.ts'
import type { IdentityLog } from './identity-log.ts'

export interface TokenRoutesOptions {
  db: Kysely<Database>
  workspaceId: string
  authenticator: Authenticator
  tokens: AccessTokens
  log: IdentityLog
  onRevoked?: (tokenId: string) => void
}

const createBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  expiresInDays: z.number().int().min(1).max(maxTokenDays).optional(),
}) satisfies z.ZodType<CreateToken>

export function tokenRoutes(options: TokenRoutesOptions) {
  const { db, workspaceId, authenticator, tokens, log } = options

  // The server's access hook has asked already; the handlers ask again so
  // they stay safe on their own.
  async function caller(
    request: FastifyRequest,
    action: WorkspaceAction,
  ): Promise<Actor> {
    const actor = await authenticator.authenticate(request.raw)
    const enabled = (await getSetting(db, workspaceId, 'enabled')) === 'true'
    enforce(decideWorkspace(actor, action, enabled))
    return actor
  }

  async function create(request: FastifyRequest, reply: FastifyReply) {
    const actor = await caller(request, 'token.create')
    const body = parse(request.body ?? {})
    const via = authenticator.credentialOf(request.raw)?.kind ?? 'unknown'

    const created = await tokens.create(actor.userId, {
      name: body.name ?? 'personal access token',
      expiresInDays: body.expiresInDays ?? defaultTokenDays,
    })
    await audit(actor, 'token.create', created.id, {
      name: created.name,
      expiresAt: created.expiresAt,
      createdWith: via,
    })
    log.accessTokenCreated(actor.userId, created.id, via)
    return reply.status(201).header('cache-control', 'no-store').send(created)
  }

  async function list(request: FastifyRequest) {
    const actor = await caller(request, 'token.list')
    return await tokens.list(actor.userId)
  }

  async function revoke(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
  ) {
    const actor = await caller(request, 'token.revoke')
    await tokens.revoke(actor.userId, request.params.id)

    await audit(actor, 'token.revoke', request.params.id, {})
    log.accessTokenRevoked(actor.userId, request.params.id)
    options.onRevoked?.(request.params.id)
    return reply.status(204).send()
  }

  async function audit(
    actor: Actor,
    action: string,
    tokenId: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await appendAudit(db, workspaceId, {
      actorId: actor.userId,
      actorEmail: actor.email,
      action,
      targetType: 'access_token',
      targetId: tokenId,
      sessionId: null,
      detail,
    })
  }

  return async function accessTokenApi(app: FastifyInstance): Promise<void> {
    app.setErrorHandler(apiErrorHandler(log))

    app.post('/api/tokens', { config: { action: 'token.create' } }, create)
    app.get('/api/tokens', { config: { action: 'token.list' } }, list)
    app.delete<{ Params: { id: string } }>(
      '/api/tokens/:id',
      { config: { action: 'token.revoke' } },
      revoke,
    )
  }
}

function parse(body: unknown): z.output<typeof createBody> {
  const parsed = createBody.safeParse(body)
  if (parsed.success) return parsed.data

  const issue = parsed.error.issues[0]
  const where = issue?.path.join('.') || 'body'
  throw new OmniError('invalid_input', `Invalid ${where}: ${issue?.message}.`)
}
