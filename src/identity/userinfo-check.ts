// Opaque bearer tokens (not JWTs, as Google and some Okta set-ups issue)
// cannot be verified locally, so the issuer's userinfo endpoint (OpenID
// Connect Core §5.3) answers for them. Its answer is cached for a short,
// bounded time keyed by the token's hash; a refusal is never cached, so a
// token the issuer starts to accept works at once and a fault is retried.

import { createHash } from 'node:crypto'
import { OmniError } from '../core/errors.ts'

export interface UserinfoCheckOptions {
  /** The issuer's userinfo endpoint, from discovery. */
  endpoint: () => Promise<string | undefined>
  ttlMs?: number
  maxEntries?: number
}

export type CheckOpaqueToken = (
  token: string,
) => Promise<Record<string, unknown>>

interface Cached {
  claims: Record<string, unknown>
  until: number
}

export function createUserinfoCheck(
  options: UserinfoCheckOptions,
): CheckOpaqueToken {
  const ttlMs = options.ttlMs ?? 60_000
  const maxEntries = options.maxEntries ?? 1000
  const cache = new Map<string, Cached>()

  function remember(key: string, claims: Record<string, unknown>): void {
    cache.delete(key)
    cache.set(key, { claims, until: Date.now() + ttlMs })
    // A Map iterates in insertion order, so the first key is the oldest.
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next().value
      if (oldest === undefined) break
      cache.delete(oldest)
    }
  }

  return async function checkOpaqueToken(token) {
    const key = createHash('sha256').update(token).digest('base64url')
    const cached = cache.get(key)
    if (cached !== undefined && cached.until > Date.now()) return cached.claims
    cache.delete(key)

    const endpoint = await options.endpoint().catch(() => {
      throw new OmniError('issuer_unreachable')
    })
    if (endpoint === undefined) throw new OmniError('token_invalid')

    const claims = await askUserinfo(endpoint, token)
    remember(key, claims)
    return claims
  }
}

async function askUserinfo(
  endpoint: string,
  token: string,
): Promise<Record<string, unknown>> {
  let response: Response
  try {
    response = await fetch(endpoint, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    })
  } catch {
    throw new OmniError('issuer_unreachable')
  }

  // RFC 6750 §3.1: 401 means the token is not (or no longer) good.
  if (response.status === 401 || response.status === 403) {
    throw new OmniError('token_invalid')
  }
  if (!response.ok) throw new OmniError('issuer_unreachable')

  // A signed or encrypted userinfo answer needs keys this check does not
  // use; such issuers issue JWT access tokens anyway.
  const type = response.headers.get('content-type') ?? ''
  if (!type.includes('application/json')) throw new OmniError('token_invalid')

  const body: unknown = await response.json().catch(() => undefined)
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OmniError('issuer_unreachable')
  }
  return body as Record<string, unknown>
}
