// The WebSocket paths and the action each performs, declared as every HTTP
// route declares its own; the endpoints ask the policy for exactly these.

import { hostTunnelPath } from '../../protocol/host-tunnel.ts'
import type { RouteAction } from '../route-access.ts'

export const upgradeRoutes = {
  hostTunnel: { path: hostTunnelPath, action: 'host.use' },
  follow: { path: '/api/sessions/:id/follow', action: 'session.view' },
} as const satisfies Record<string, { path: string; action: RouteAction }>
