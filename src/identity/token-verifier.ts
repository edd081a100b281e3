// Verifies bearer access tokens: JWTs for the Omnigent API (RFC 9068) signed
// by the workspace's issuer. The built-in workspace and an external issuer
// go through this same function; only where the keys come from differs.

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose'
import { OmniError } from '../core/errors.ts'

// Asymmetric algorithms only: an HS256 token could be forged with anything
// the verifier treats as a secret, and `none` is no signature at all.
export const allowedAlgorithms = ['RS256', 'PS256', 'ES256', 'EdDSA']

export interface TokenVerifierOptions {
  issuer: string
  audience: string
  /** Resolves the issuer's signing keys, fetched lazily. */
  keys: () => Promise<JWTVerifyGetKey>
}

export type VerifyToken = (token: string) => Promise<JWTPayload>

/** How far the issuer's clock and ours may disagree (RFC 7519 §4.1.4
 * allows "a small leeway"). */
export const clockToleranceSeconds = 60

export function createTokenVerifier(
  options: TokenVerifierOptions,
): VerifyToken {
  const { issuer, audience, keys } = Object.freeze({ ...options })

  return async function verifyToken(token) {
    const keySet = await keys().catch(() => {
      throw new OmniError('issuer_unreachable')
    })
    let payload: JWTPayload
    try {
      const verified = await jwtVerify(token, keySet, {
        issuer,
        audience,
        algorithms: allowedAlgorithms,
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ['sub', 'exp'],
      })
      payload = verified.payload
    } catch (error) {
      throw verificationError(error)
    }

    // jose checks `iat` only with a maximum age; a token issued in our
    // future means one of the two clocks is wrong.
    const now = Math.floor(Date.now() / 1000)
    if (typeof payload.iat === 'number') {
      if (payload.iat > now + clockToleranceSeconds) {
        throw new OmniError('clock_skew')
      }
    }
    return payload
  }
}

/** The error names neither the token nor its claims. */
function verificationError(error: unknown): unknown {
  if (error instanceof errors.JWTExpired) {
    return new OmniError('token_expired')
  }
  // A valid signature with `nbf` beyond the tolerance: not yet valid by our
  // clock, which is a clock problem rather than a bad token.
  if (
    error instanceof errors.JWTClaimValidationFailed &&
    error.claim === 'nbf'
  ) {
    return new OmniError('clock_skew')
  }
  if (error instanceof errors.JWKSTimeout) {
    return new OmniError('issuer_unreachable')
  }
  if (error instanceof errors.JOSEError) {
    return new OmniError('token_invalid')
  }
  // Fetching the key set failed at the network level.
  if (error instanceof TypeError) return new OmniError('issuer_unreachable')
  return error
}

/** Whether a bearer token is a JWS in compact form (RFC 7515 §7.1); any
 * other token is opaque to us. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)
}

export function localKeys(jwks: JSONWebKeySet): () => Promise<JWTVerifyGetKey> {
  const keySet = createLocalJWKSet(jwks)
  return async () => keySet
}

/** Keys from the issuer's `jwks_uri`, cached and fetched again by jose when
 * an unknown key id appears (key rotation), at most once per cooldown so
 * a stream of made-up key ids cannot hammer the issuer. */
export function remoteKeys(
  jwksUri: () => Promise<string>,
  options: { cooldownMs?: number } = {},
): () => Promise<JWTVerifyGetKey> {
  let keySet: JWTVerifyGetKey | undefined
  return async () => {
    keySet ??= createRemoteJWKSet(new URL(await jwksUri()), {
      cooldownDuration: options.cooldownMs ?? 30_000,
    })
    return keySet
  }
}
