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

export function createTokenVerifier(
  options: TokenVerifierOptions,
): VerifyToken {
  const { issuer, audience, keys } = Object.freeze({ ...options })

  return async function verifyToken(token) {
    const keySet = await keys()
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer,
        audience,
        algorithms: allowedAlgorithms,
        clockTolerance: 60,
        requiredClaims: ['sub', 'exp'],
      })
      return payload
    } catch (error) {
      // The error names neither the token nor its claims.
      if (error instanceof errors.JWTExpired) {
        throw new OmniError('token_expired')
      }
      if (error instanceof errors.JOSEError) {
        throw new OmniError('token_invalid')
      }
      throw error
    }
  }
}

export function localKeys(jwks: JSONWebKeySet): () => Promise<JWTVerifyGetKey> {
  const keySet = createLocalJWKSet(jwks)
  return async () => keySet
}

/** Keys from the issuer's `jwks_uri`, cached and refreshed by jose when an
 * unknown key id appears (key rotation). */
export function remoteKeys(
  jwksUri: () => Promise<string>,
): () => Promise<JWTVerifyGetKey> {
  let keySet: JWTVerifyGetKey | undefined
  return async () => {
    keySet ??= createRemoteJWKSet(new URL(await jwksUri()))
    return keySet
  }
}
