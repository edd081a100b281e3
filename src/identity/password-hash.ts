// Directory passwords are stored as scrypt hashes (RFC 7914), a memory-hard
// function, so a stolen database is slow to brute-force. One string holds the
// parameters, salt and hash, so the cost can rise later without a migration:
// old hashes keep verifying with the parameters they were made with.

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

interface ScryptParams {
  N: number
  r: number
  p: number
}

// 2^15 with r=8 takes 32 MiB and roughly 50-100 ms on a laptop core.
const current: ScryptParams = { N: 2 ** 15, r: 8, p: 1 }
const keyLength = 32
const saltLength = 16

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltLength)
  const hash = await derive(password, salt, current, keyLength)

  const { N, r, p } = current
  return ['scrypt', N, r, p, salt.toString('base64'), hash.toString('base64')]
    .map(String)
    .join('$')
}

/** False for a wrong password and for a string that is not one of ours. */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<boolean> {
  const parsed = parseHash(stored)
  if (parsed === undefined) return false

  const actual = await derive(
    password,
    parsed.salt,
    parsed.params,
    parsed.hash.length,
  )
  return timingSafeEqual(actual, parsed.hash)
}

function derive(
  password: string,
  salt: Buffer,
  params: ScryptParams,
  length: number,
): Promise<Buffer> {
  const maxmem = 256 * params.N * params.r
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      length,
      { ...params, maxmem },
      (error, key) => (error ? reject(error) : resolve(key)),
    )
  })
}

function parseHash(
  stored: string,
): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$')
  if (scheme !== 'scrypt' || rest.length > 0) return undefined
  if (salt === undefined || hash === undefined) return undefined

  const params = { N: Number(n), r: Number(r), p: Number(p) }
  const valid = Object.values(params).every(
    (value) => Number.isSafeInteger(value) && value > 0,
  )
  if (!valid || params.N > 2 ** 20) return undefined

  const hashBytes = Buffer.from(hash, 'base64')
  if (hashBytes.length < 16) return undefined
  return { params, salt: Buffer.from(salt, 'base64'), hash: hashBytes }
}
