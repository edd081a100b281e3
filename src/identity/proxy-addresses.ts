// The addresses a trusted reverse proxy connects from, as CIDR ranges or
// single addresses, matched against the socket's remote address only (a
// forwarded header would let any client name itself the proxy).

import { BlockList, isIP } from 'node:net'

export type AddressMatcher = (address: string | undefined) => boolean

/** Throws, naming the entry, when one is not an address or CIDR range. */
export function parseAddressList(entries: string[]): AddressMatcher {
  const list = new BlockList()
  for (const entry of entries) {
    const [address = '', bits, ...rest] = entry.split('/')
    const family = isIP(address)
    const prefix = bits === undefined ? undefined : Number(bits)
    const max = family === 6 ? 128 : 32
    const badPrefix =
      prefix !== undefined &&
      (!/^\d+$/.test(bits ?? '') || prefix < 0 || prefix > max)
    if (family === 0 || badPrefix || rest.length > 0) {
      throw new Error(`"${entry}" is not an IP address or CIDR range`)
    }

    const type = family === 6 ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, prefix, type)
  }

  return function fromTrustedAddress(address) {
    if (address === undefined) return false
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    const plain = address.startsWith('::ffff:') ? address.slice(7) : address
    const family = isIP(plain)
    if (family === 0) return false
    return list.check(plain, family === 6 ? 'ipv6' : 'ipv4')
  }
}
