// The built-in workspace's interaction pages: oidc-provider sends the
// browser here when it needs a sign-in (or consent), and these routes tell
// it the outcome. On a fresh install, a visitor on the server machine itself
// sets up the first admin here instead of signing in.

import formBody from '@fastify/formbody'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type Provider from 'oidc-provider'
import { z } from 'zod'
import { isOmniError } from '../core/errors.ts'
import type { Database } from '../storage/schema.ts'
import { interactionPath } from './builtin-provider.ts'
import { verifyDirectoryPassword } from './directory.ts'
import { checkSetupOpen, type CreateFirstAdmin } from './first-admin.ts'
import type { IdentityLog } from './identity-log.ts'
import {
  createSignInThrottle,
  throttleMessage,
  type SignInThrottle,
} from './sign-in-throttle.ts'
import {
  expiredPage,
  faultPage,
  loginPage,
  setupPage,
} from './interaction-pages.ts'

export interface InteractionRoutesOptions {
  provider: Provider
  publicUrl: string
  db: Kysely<Database>
  workspaceId: string
  createFirstAdmin: CreateFirstAdmin
  log: IdentityLog
  /** Holds back repeated wrong passwords; one per server by default. */
  throttle?: SignInThrottle
}

const credentials = z.strictObject({
  email: z.string().max(320),
  password: z.string().max(1024),
})

const wrongCredentials = 'Wrong email or password.'

type Details = Awaited<ReturnType<Provider['interactionDetails']>>

export function interactionRoutes(options: InteractionRoutesOptions) {
  const { provider, db, workspaceId, createFirstAdmin, log } = options
  const throttle = options.throttle ?? createSignInThrottle()

  // The interaction cookie names the sign-in in flight; a missing or
  // mismatched one means it expired or belongs to another tab.
  async function current(
    request: FastifyRequest<{ Params: { uid: string } }>,
    reply: FastifyReply,
  ): Promise<Details | undefined> {
    try {
      const details = await provider.interactionDetails(request.raw, reply.raw)
      return details.uid === request.params.uid ? details : undefined
    } catch {
      return undefined
    }
  }

  /** Which form a sign-in shows: setup on a fresh install visited from
   * this machine, else the login form (with a hint when nobody exists). */
  async function formFor(request: FastifyRequest, base: string) {
    const address = request.raw.socket.remoteAddress
    try {
      await checkSetupOpen(db, workspaceId, address)
      return setupPage({ action: `${base}/setup` })
    } catch (error) {
      if (!isOmniError(error) || error.code !== 'setup_not_local') {
        return loginPage({ action: `${base}/login` })
      }
      const note =
        'This workspace has no users yet. Set up the first admin ' +
        'from a browser on the server machine.'
      return loginPage({ action: `${base}/login`, error: note })
    }
  }

  async function finishLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    accountId: string,
  ): Promise<void> {
    reply.hijack()
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    )
  }

  // Omnigent's own clients are first-party: the person already chose to
  // sign in to this workspace, so consent is recorded without a question.
  async function grantConsent(
    request: FastifyRequest,
    reply: FastifyReply,
    details: Details,
  ): Promise<void> {
    const { prompt, params, session } = details
    const grant =
      details.grantId !== undefined
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({
            accountId: session?.accountId,
            clientId: String(params.client_id),
          })
    if (grant === undefined) throw new Error('interaction grant vanished')

    const missing = prompt.details
    if (Array.isArray(missing.missingOIDCScope)) {
      grant.addOIDCScope(missing.missingOIDCScope.join(' '))
    }
    if (Array.isArray(missing.missingOIDCClaims)) {
      grant.addOIDCClaims(missing.missingOIDCClaims)
    }
    const resourceScopes = (missing.missingResourceScopes ?? {}) as Record<
      string,
      string[]
    >
    for (const [resource, scopes] of Object.entries(resourceScopes)) {
      grant.addResourceScope(resource, scopes.join(' '))
    }
    const grantId = await grant.save()

    reply.hijack()
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    )
  }

  return async function interactions(app: FastifyInstance): Promise<void> {
    await app.register(formBody)
    app.setErrorHandler((error, _request, reply) => {
      log.pageFault(error)
      return sendPage(reply, 500, faultPage())
    })

    app.get<{ Params: { uid: string } }>(
      '/oidc/interaction/:uid',
      async (request, reply) => {
        const details = await current(request, reply)
        if (details === undefined) return sendPage(reply, 400, expiredPage())

        if (details.prompt.name === 'consent') {
          return await grantConsent(request, reply, details)
        }

        const form = await formFor(request, interactionPath(details.uid))
        return sendPage(reply, 200, form)
      },
    )

    app.post<{ Params: { uid: string } }>(
      '/oidc/interaction/:uid/login',
      async (request, reply) => {
        const details = await current(request, reply)
        if (details === undefined) return sendPage(reply, 400, expiredPage())

        const action = `${interactionPath(details.uid)}/login`
        const body = credentials.safeParse(request.body)
        const email = body.success ? body.data.email : ''
        const address = request.raw.socket.remoteAddress

        // A held-back email is not even checked, so guessing stays slow.
        const waitMs = throttle.waitMs(email, address)
        if (waitMs > 0) {
          log.signInThrottled()
          const form = loginPage({
            action,
            email,
            error: throttleMessage(waitMs),
          })
          reply.header('retry-after', String(Math.ceil(waitMs / 1000)))
          return sendPage(reply, 429, form)
        }

        const user = body.success
          ? await verifyDirectoryPassword(
              db,
              workspaceId,
              body.data.email,
              body.data.password,
            )
          : undefined

        if (user === undefined) {
          throttle.failed(email, address)
          const form = loginPage({ action, email, error: wrongCredentials })
          return sendPage(reply, 401, form)
        }
        throttle.succeeded(email)
        return await finishLogin(request, reply, user.id)
      },
    )

    app.post<{ Params: { uid: string } }>(
      '/oidc/interaction/:uid/setup',
      async (request, reply) => {
        const details = await current(request, reply)
        if (details === undefined) return sendPage(reply, 400, expiredPage())

        const base = interactionPath(details.uid)
        const body = credentials.safeParse(request.body)
        const email = body.success ? body.data.email : ''
        if (!body.success) {
          const error = 'Enter an email and a password.'
          return sendPage(
            reply,
            400,
            setupPage({ action: `${base}/setup`, error }),
          )
        }

        try {
          const address = request.raw.socket.remoteAddress
          const admin = await createFirstAdmin(body.data, address)
          log.firstAdminCreated(admin.id, 'web')
          return await finishLogin(request, reply, admin.id)
        } catch (error) {
          if (!isOmniError(error)) throw error
          // Someone else finished setup first: sign in instead.
          if (
            error.code === 'setup_closed' ||
            error.code === 'setup_not_local'
          ) {
            return reply.redirect(`${options.publicUrl}${base}`, 303)
          }
          const form = setupPage({
            action: `${base}/setup`,
            email,
            error: error.message,
          })
          return sendPage(reply, error.status, form)
        }
      },
    )
  }
}

function sendPage(reply: FastifyReply, status: number, body: string) {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(body)
}
