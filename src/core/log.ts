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

interface LoggedRequest {
  method?: string
  url?: string
  socket?: { remoteAddress?: string }
}

// Query strings are dropped: a sign-in callback carries its authorization
// code there, and a log has no use for it.
const serializers = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    path: (req.url ?? '').split('?')[0],
    remoteAddress: req.socket?.remoteAddress,
  }),
  res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
  err: pino.stdSerializers.err,
}

/** A JSON logger to stdout, or appended to `file` when one is given (so a
 * terminal that also talks to a person keeps only the person's lines). */
export function createLogger(
  name: string,
  options: { level?: string; file?: string } = {},
): Logger {
  const settings = {
    name,
    level: process.env.OMNI_LOG_LEVEL ?? options.level ?? 'info',
    redact: { paths: redact, censor: '[redacted]' },
    serializers,
  }
  if (options.file === undefined) return pino(settings)
  return pino(
    settings,
    pino.destination({ dest: options.file, sync: true, mode: 0o600 }),
  )
}
