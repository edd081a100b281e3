// Structured JSON logs through pino. Only the edges (HTTP, WebSocket, host
// daemon, CLI) log; lower layers return or throw. The redaction list is a
// second line of defence: no code path should hand a secret to a logger.

import { pino, type Logger } from 'pino'

export type { Logger }

const redact = [
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'secret',
  'clientSecret',
  'cookie',
  'authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.cookie',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
]

export function createLogger(name: string, level = 'info'): Logger {
  return pino({
    name,
    level: process.env.OMNI_LOG_LEVEL ?? level,
    redact: { paths: redact, censor: '[redacted]' },
  })
}
