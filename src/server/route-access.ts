// Every API route declares the action it performs. A hook authenticates the
// caller and asks the policy about the workspace before the handler runs;
// session- and host-level decisions follow in the services, which know the
// target. A route without a declaration is refused at registration.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { IncomingMessage } from 'node:http'
import {
  decideWorkspace,
  enforce,
  workspaceActions,
  type Action,
  type Actor,
  type WorkspaceAction,
} from '../access/policy.ts'
import { OmniError } from '../core/errors.ts'
import type { WorkspaceState } from './workspace-state.ts'

/** `public`: no sign-in (discovery, first-admin setup, sign-in itself).
 * `signed-in`: any member, even while Omnigent is off (who am I). */
export type RouteAction = Action | 'public' | 'signed-in'

declare module 'fastify' {
  interface FastifyContextConfig {
    action?: RouteAction
  }
  interface FastifyRequest {
    actor: Actor | null
  }
}

export interface RouteAccessOptions {
  authenticate(request: IncomingMessage): Promise<Actor>
  workspace: WorkspaceState
}

export function installRouteAccess(
  app: FastifyInstance,
  options: RouteAccessOptions,
): void {
  app.decorateRequest('actor', null)

  app.addHook('onRoute', (route) => {
    const declared = (route.config as { action?: RouteAction } | undefined)
      ?.action
    if (route.url.startsWith('/api/') && declared === undefined) {
      throw new Error(`route ${route.method} ${route.url} declares no action`)
    }
  })

  app.addHook('preHandler', async (request) => {
    const action = request.routeOptions.config.action
    if (action === undefined || action === 'public') return

    request.actor = await options.authenticate(request.raw)
    if (action === 'signed-in') return

    const asked: WorkspaceAction = isWorkspaceAction(action)
      ? action
      : 'workspace.use'
    enforce(decideWorkspace(request.actor, asked, options.workspace.enabled))
  })
}

/** The authenticated caller; only for routes that declare an action. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new OmniError('unauthenticated')
  return request.actor
}

function isWorkspaceAction(action: Action): action is WorkspaceAction {
  return (workspaceActions as readonly string[]).includes(action)
}
