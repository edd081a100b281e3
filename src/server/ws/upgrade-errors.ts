// A WebSocket upgrade that is refused gets a plain HTTP response with the
// same JSON error body as the API, before any WebSocket exists (RFC 6455
// §4.2.2: the server may answer the handshake with any HTTP status).

import type { Duplex } from 'node:stream'
import { STATUS_CODES } from 'node:http'
import { errorBody, type OmniError } from '../../core/errors.ts'

export function refuseUpgrade(socket: Duplex, error: OmniError): void {
  const body = JSON.stringify(errorBody(error))
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ]
  if (error.status === 401)
    head.push('WWW-Authenticate: Bearer realm="omnigent"')

  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`)
}
