// The Omnigent MCP server at POST /mcp (Streamable HTTP, stateless: every
// request carries its bearer credential and gets a fresh server bound to
// that caller, so no state outlives a revoked credential).

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { FastifyInstance } from 'fastify'
import type { IncomingMessage } from 'node:http'
import { OmniError } from '../core/errors.ts'
import type { LiveHub } from '../sessions/live-hub.ts'
import type { SessionService } from '../sessions/session-service.ts'
import type { SignOutNotifier } from '../sessions/sign-out-notifier.ts'
import type { Credential } from '../identity/authenticator.ts'
import { actorOf } from '../server/route-access.ts'
import { registerMcpTools } from './mcp-tools.ts'

export const mcpPath = '/api/mcp'

export function registerMcpEndpoint(
  app: FastifyInstance,
  options: {
    sessions: SessionService
    hub: LiveHub
    signOuts: SignOutNotifier
    credentialOf(request: IncomingMessage): Credential | undefined
    version: string
  },
): void {
  app.post(
    mcpPath,
    { config: { action: 'workspace.use' } },
    async (req, reply) => {
      if (!req.headers.authorization) throw new OmniError('unauthenticated')

      const server = new McpServer({
        name: 'omnigent',
        version: options.version,
      })
      registerMcpTools(server, {
        actor: actorOf(req),
        credential: options.credentialOf(req.raw),
        sessions: options.sessions,
        hub: options.hub,
        signOuts: options.signOuts,
      })
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      })

      reply.hijack()
      reply.raw.on('close', () => {
        void transport.close()
        void server.close()
      })
      await server.connect(transport)
      await transport.handleRequest(req.raw, reply.raw, req.body)
    },
  )

  // Stateless: there is no stream to resume and no session to end.
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: mcpPath,
      config: { action: 'public' },
      handler: (_req, reply) =>
        reply
          .status(405)
          .header('allow', 'POST')
          .send({
            error: {
              code: 'invalid_input',
              message: 'Use POST for MCP requests.',
            },
          }),
    })
  }
}
