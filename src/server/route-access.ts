// Every API route declares the action it performs. A hook authenticates the
// caller and asks the policy about the workspace before the handler runs;
// session- and host-level decisions follow in the services, which know the
// target. A route without a declaration is refused at registration.
//
// State changes authenticated by the sign-in cookie must come from this
// server's own pages: a browser attaches the cookie to a request any other
// site makes, so such a request needs a matching Origin (or Referer).

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
import { refuseCrossSite } from '../identity/cross-site.ts'
import { credentialKind } from './request-credential.ts'
import type { WorkspaceState } from './workspace-state.ts'

/** `public`: no sign-in (discovery, first-admin setup, sign-in itself).
 * `signed-in`: any member, even while Omnigent is off (who am I).
 * `sign-in`: a member reporting the sign-in they just made; the handler
 * authenticates them itself, so it is recorded once, as a sign-in. */
export type RouteAction = Action | 'public' | 'signed-in' | 'sign-in'

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
  /** The server's public origin, which a cookie-authenticated change of
   * state must come from. */
  publicUrl: string
}

/** A route as registered, with the action it declared. */
export interface DeclaredRoute {
  method: string
  url: string
  action: RouteAction | undefined
}

const routeTables = new WeakMap<FastifyInstance, DeclaredRoute[]>()

/** Every route registered on the app since access was installed. */
export function declaredRoutes(app: FastifyInstance): readonly DeclaredRoute[] {
  return routeTables.get(app) ?? []
}

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function installRouteAccess(
  app: FastifyInstance,
  options: RouteAccessOptions,
): void {
  const publicOrigin = new URL(options.publicUrl).origin
  const table: DeclaredRoute[] = []
  routeTables.set(app, table)
  app.decorateRequest('actor', null)

  app.addHook('onRoute', (route) => {
    const declared = (route.config as { action?: RouteAction } | undefined)
      ?.action
    for (const method of [route.method].flat()) {
      table.push({ method, url: route.url, action: declared })
    }
    if (route.url.startsWith('/api/') && declared === undefined) {
      throw new Error(`route ${route.method} ${route.url} declares no action`)
    }
  })

  app.addHook('preHandler', async (request) => {
    const action = request.routeOptions.config.action
    if (action === undefined || action === 'public') return
    if (action === 'sign-in') return

    refuseCookieCrossSite(request, publicOrigin)
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

// Bearer tokens (CLI, hosts, MCP clients) are never sent by a browser on
// its own, so only cookie-authenticated changes are checked. A browser that
// sends neither header is refused too: a page of ours always sends Origin.
function refuseCookieCrossSite(request: FastifyRequest, publicOrigin: string) {
  if (!stateChanging.has(request.method)) return
  if (credentialKind(request.headers) !== 'cookie') return

  refuseCrossSite(request.headers, publicOrigin, { requireOrigin: true })
}

function isWorkspaceAction(action: Action): action is WorkspaceAction {
  return (workspaceActions as readonly string[]).includes(action)
}
