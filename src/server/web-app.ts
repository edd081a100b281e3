// Serves the built web app. Any GET outside the API that names no file gets
// index.html, so the app's own routes (/sessions/:id) survive a reload.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { OmniError, errorBody } from '../core/errors.ts'

const serverPrefixes = ['/api/', '/auth/', '/oidc/', '/interaction/']

export async function registerWebApp(
  app: FastifyInstance,
  webDir: string,
): Promise<void> {
  const built = existsSync(join(webDir, 'index.html'))
  if (built) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false })
  }

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/'
    const isServerPath = serverPrefixes.some((prefix) =>
      path.startsWith(prefix),
    )
    if (req.method !== 'GET' || isServerPath) {
      return reply.status(404).send(errorBody(new OmniError('not_found')))
    }
    if (!built) {
      return reply
        .type('text/plain')
        .status(503)
        .send('The web app is not built yet: run `npm run build:web`.')
    }
    return reply.sendFile('index.html')
  })
}
