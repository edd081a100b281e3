// Every way into the API says what it does: each HTTP route under /api/ and
// each WebSocket path declares an action the policy knows, or one of the two
// declared exceptions. The real app is built and its route table walked, so
// a route added without a declaration fails here (and at start-up).

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  hostActions,
  sessionActions,
  workspaceActions,
} from '../access/policy.ts'
import { declaredRoutes } from './route-access.ts'
import { startTestServer, type TestServer } from './server.test-support.ts'
import { upgradeRoutes } from './ws/upgrade-routes.ts'

const policyActions = new Set<string>([
  ...sessionActions,
  ...hostActions,
  ...workspaceActions,
])

// The only routes under /api/ that the policy is not asked about, and why.
const exceptions = new Map([
  ['GET /api/workspace', 'public'], // how a client finds the issuer
  ['HEAD /api/workspace', 'public'],
  ['POST /api/setup', 'public'], // the first admin, from this machine only
  ['GET /api/mcp', 'public'], // answers 405: MCP here is POST only
  ['HEAD /api/mcp', 'public'],
  ['DELETE /api/mcp', 'public'],
  ['GET /api/me', 'signed-in'], // who am I, also while Omnigent is off
  ['HEAD /api/me', 'signed-in'],
  ['POST /api/me/sign-outs', 'signed-in'], // the CLI's sign-out, also while off
  // The CLI's sign-in: the handler authenticates, so it is recorded once.
  ['POST /api/me/sign-ins', 'sign-in'],
])

describe('route declarations', () => {
  let server: TestServer

  before(async () => {
    server = await startTestServer()
  })
  after(() => server?.close())

  test('every /api/ route declares an action of the policy or a listed exception', () => {
    const api = declaredRoutes(server.server.app).filter((route) =>
      route.url.startsWith('/api/'),
    )
    assert.ok(api.length >= 20, `only ${api.length} API routes were seen`)

    const wrong = api
      .map((route) => ({
        key: `${route.method} ${route.url}`,
        action: route.action,
      }))
      .filter(({ key, action }) =>
        action === undefined
          ? true
          : policyActions.has(action)
            ? false
            : exceptions.get(key) !== action,
      )
    assert.deepEqual(wrong, [])
  })

  test('the session routes ask for the session action they perform', () => {
    const actionOf = (method: string, url: string) =>
      declaredRoutes(server.server.app).find(
        (route) => route.method === method && route.url === url,
      )?.action

    assert.equal(actionOf('GET', '/api/sessions/:id'), 'session.view')
    assert.equal(actionOf('POST', '/api/sessions/:id/messages'), 'session.send')
    assert.equal(actionOf('PUT', '/api/sessions/:id/grants'), 'session.share')
    assert.equal(
      actionOf('DELETE', '/api/sessions/:id/grants/:email'),
      'session.share',
    )
    assert.equal(actionOf('DELETE', '/api/sessions/:id'), 'session.delete')
  })

  test('every WebSocket path declares an action of the policy', () => {
    assert.deepEqual(
      Object.values(upgradeRoutes).map(({ path, action }) => [
        path,
        policyActions.has(action),
      ]),
      [
        ['/api/hosts/connect', true],
        ['/api/sessions/:id/follow', true],
      ],
    )
  })

  test('a WebSocket path outside the declared ones is refused', async () => {
    const socket = await server.openSocket(
      { kind: 'none' },
      '/api/sessions/x/other',
    )
    assert.deepEqual(socket.refused, {
      status: 404,
      body: { error: { code: 'not_found', message: 'Not found.' } },
    })
  })
})
