import { randomBytes } from 'node:crypto'

const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789'

/** A short random id, easy to read and type: `prefix_` and 12 characters
 * from a 32-letter alphabet without look-alikes (60 bits). */
export function newId(prefix: string): string {
  const bytes = randomBytes(12)
  let out = ''
  for (const byte of bytes) out += alphabet[byte % alphabet.length]
  return `${prefix}_${out}`
}

/** An unguessable secret for cookies, states and tokens. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}
