// How the built-in provider's payloads are keyed at rest. For its opaque
// tokens (refresh tokens, authorization and device codes) and its session
// cookies the id is the secret itself, so a row is keyed by the id's
// SHA-256: a copy of the database names every grant but holds no value
// anyone can present. A lookup hashes the value it is given, so the stored
// key alone finds nothing.

import { createHash } from 'node:crypto'

export function oidcPayloadKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url')
}
