// Routes WebSocket upgrades to their endpoint. Browsers send `Origin`; one
// that is not this server's public origin is refused, so another site cannot
// ride a signed-in cookie into a live stream (cross-site WebSocket hijacking).
// Each upgrade path declares its action in upgrade-routes.ts.

import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { OmniError } from '../../core/errors.ts'
import { toOmniError } from '../http-errors.ts'
import { judgeOrigin } from '../../core/same-origin.ts'
import { parseAfter, type FollowEndpoint } from './follow-endpoint.ts'
import type { HostTunnelEndpoint } from './host-tunnel-endpoint.ts'
import { refuseUpgrade } from './upgrade-errors.ts'
import { upgradeRoutes } from './upgrade-routes.ts'

const followPattern = /^\/api\/sessions\/([^/]+)\/follow$/

export interface UpgradeRouterOptions {
  publicUrl: string
  follow: FollowEndpoint
  hostTunnel: HostTunnelEndpoint
  log: Logger
}

export function installUpgradeRouter(
  server: Server,
  options: UpgradeRouterOptions,
): void {
  const publicOrigin = new URL(options.publicUrl).origin

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    route(req, socket, head).catch((error: unknown) => {
      const omni = toOmniError(error)
      if (omni.status >= 500)
        options.log.error({ err: error }, 'upgrade failed')
      else
        options.log.info(
          { code: omni.code, path: pathOf(req) },
          'upgrade refused',
        )
      refuseUpgrade(socket, omni)
    })
  })

  async function route(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? '/', publicOrigin)
    // Only Origin counts here: clients that are not browsers send none.
    const origin = req.headers.origin
    if (
      origin !== undefined &&
      judgeOrigin({ origin }, publicOrigin) !== 'same'
    ) {
      throw new OmniError(
        'not_found',
        'This origin may not open a stream here.',
      )
    }

    if (url.pathname === upgradeRoutes.hostTunnel.path) {
      return options.hostTunnel.upgrade(req, socket, head)
    }
    const follow = followPattern.exec(url.pathname)
    if (follow?.[1]) {
      const sessionId = decodedSegment(follow[1])
      const after = parseAfter(url.searchParams.get('after'))
      return options.follow.upgrade(req, socket, head, sessionId, after)
    }
    throw new OmniError('not_found')
  }
}

// A path segment that is not valid percent-encoding names no session.
function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new OmniError('not_found')
  }
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/'
}
