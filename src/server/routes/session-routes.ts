import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { maxTitleLength } from '../../protocol/api.ts'
import type { SessionService } from '../../sessions/session-service.ts'
import { actorOf } from '../route-access.ts'
import { noBody } from './no-body.ts'

const idParams = z.object({ id: z.string().min(1).max(100) })

const listQuery = z.object({
  scope: z.enum(['mine', 'shared', 'all']).default('mine'),
})

const createBody = z
  .object({
    host: z.string().min(1).max(200),
    dir: z
      .string()
      .min(1)
      .max(4096)
      .refine((dir) => dir.startsWith('/') || dir.startsWith('~'), {
        message: 'must be an absolute path on the host',
      })
      .optional(),
    title: z.string().trim().min(1).max(maxTitleLength).optional(),
  })
  .strict()

const renameBody = z
  .object({ title: z.string().trim().min(1).max(maxTitleLength) })
  .strict()

const messageBody = z
  .object({ text: z.string().trim().min(1).max(100_000) })
  .strict()

const eventsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
})

// The email's shape and length are checked by the session service, with the
// one rule the directory uses too.
const grantBody = z
  .object({ email: z.string(), level: z.enum(['read', 'edit']) })
  .strict()

const grantParams = idParams.extend({ email: z.string().min(1).max(320) })

export function registerSessionRoutes(
  app: FastifyInstance,
  sessions: SessionService,
): void {
  app.get('/api/sessions', { config: { action: 'workspace.use' } }, (req) => {
    const { scope } = listQuery.parse(req.query)
    return sessions.list(actorOf(req), scope)
  })

  app.post(
    '/api/sessions',
    { config: { action: 'workspace.use' } },
    async (req, reply) => {
      const body = createBody.parse(req.body)
      const created = await sessions.create(actorOf(req), body)
      return reply.status(201).send(created)
    },
  )

  app.get('/api/sessions/:id', { config: { action: 'session.view' } }, (req) =>
    sessions.detail(actorOf(req), idParams.parse(req.params).id),
  )

  app.patch(
    '/api/sessions/:id',
    { config: { action: 'session.rename' } },
    async (req) => {
      const { id } = idParams.parse(req.params)
      const { title } = renameBody.parse(req.body)
      await sessions.rename(actorOf(req), id, title)
      return sessions.detail(actorOf(req), id)
    },
  )

  app.delete(
    '/api/sessions/:id',
    { config: { action: 'session.delete' } },
    async (req, reply) => {
      noBody.parse(req.body)
      await sessions.delete(actorOf(req), idParams.parse(req.params).id)
      return reply.status(204).send()
    },
  )

  app.get(
    '/api/sessions/:id/events',
    { config: { action: 'session.view' } },
    (req) => {
      const { id } = idParams.parse(req.params)
      const { after } = eventsQuery.parse(req.query)
      return sessions.events(actorOf(req), id, after)
    },
  )

  app.post(
    '/api/sessions/:id/messages',
    { config: { action: 'session.send' } },
    async (req, reply) => {
      const { id } = idParams.parse(req.params)
      const { text } = messageBody.parse(req.body)
      const accepted = await sessions.send(actorOf(req), id, text)
      return reply.status(202).send(accepted)
    },
  )

  app.post(
    '/api/sessions/:id/interrupt',
    { config: { action: 'session.interrupt' } },
    async (req) => {
      const { id } = idParams.parse(req.params)
      noBody.parse(req.body)
      return { interrupted: await sessions.interrupt(actorOf(req), id) }
    },
  )

  app.put(
    '/api/sessions/:id/grants',
    { config: { action: 'session.share' } },
    async (req) => {
      const { id } = idParams.parse(req.params)
      const { email, level } = grantBody.parse(req.body)
      return sessions.share(actorOf(req), id, email, level)
    },
  )

  app.delete(
    '/api/sessions/:id/grants/:email',
    { config: { action: 'session.share' } },
    async (req, reply) => {
      const { id, email } = grantParams.parse(req.params)
      noBody.parse(req.body)
      await sessions.unshare(actorOf(req), id, email)
      return reply.status(204).send()
    },
  )

  app.post(
    '/api/sessions/:id/leave',
    { config: { action: 'session.leave' } },
    async (req, reply) => {
      noBody.parse(req.body)
      await sessions.leave(actorOf(req), idParams.parse(req.params).id)
      return reply.status(204).send()
    },
  )
}
