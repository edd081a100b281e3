// Relays a web sign-out to the streams opened with that sign-in. The sign-out
// route is identity's; this watches it from outside: it notes which web
// sign-in a POST /auth/logout names before the route revokes it, and once
// the route has answered without error, tells the notifier.
//
// TODO(issue 3): identity calls SignOutNotifier itself (also for "sign out
// everywhere"), and this relay goes.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { SignOutNotifier } from '../sessions/sign-out-notifier.ts'
import { webSignInIdOf } from './request-credential.ts'

export const signOutPath = '/auth/logout'

export function relayWebSignOuts(
  app: FastifyInstance,
  notifier: SignOutNotifier,
): void {
  const ending = new WeakMap<FastifyRequest, string>()

  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST') return
    if (request.url.split('?')[0] !== signOutPath) return

    const id = webSignInIdOf(request.headers)
    if (id) ending.set(request, id)
  })

  app.addHook('onResponse', async (request, reply) => {
    const id = ending.get(request)
    if (id && reply.statusCode < 400) notifier.webSignInEnded(id)
  })
}
