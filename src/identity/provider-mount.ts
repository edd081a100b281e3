// Serves oidc-provider (a Koa app) under /oidc inside Fastify. The routes
// hand the raw request and response to the provider, so this encapsulated
// plugin's content-type parsers leave the body unread for the provider to
// parse itself.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { IncomingMessage } from 'node:http'
import type Provider from 'oidc-provider'

export const mountPath = '/oidc'

export function providerRoutes(provider: Provider, publicUrl: string) {
  const origin = new URL(publicUrl)
  const callback = provider.callback()

  function handOver(request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack()
    const raw = request.raw as IncomingMessage & { originalUrl?: string }
    const url = raw.url ?? mountPath

    // oidc-provider finds its mount path by comparing originalUrl with url.
    raw.originalUrl = url
    raw.url = url.slice(mountPath.length) || '/'

    // Endpoint URLs in discovery and redirects come from these headers
    // (the provider trusts them); pinning them to publicUrl keeps every URL
    // on the issuer's origin however the request reached the server.
    raw.headers['x-forwarded-host'] = origin.host
    raw.headers['x-forwarded-proto'] = origin.protocol.slice(0, -1)

    void callback(raw, reply.raw)
  }

  return async function oidcProvider(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (_request, _payload, done) => done(null))

    app.all(mountPath, handOver)
    app.all(`${mountPath}/*`, handOver)
  }
}
