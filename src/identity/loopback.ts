import { isIP } from 'node:net'

/** Whether a socket's remote address is this machine. Callers pass the
 * socket's address, never a header, which a client could forge. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false

  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  if (isIP(v4) === 4) return v4.split('.')[0] === '127'
  return address === '::1'
}
