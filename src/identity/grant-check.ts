// Whether the built-in provider still holds the grant an access token was
// minted from. A JWT access token is good until it expires (15 minutes), but
// signing out of the CLI (revoking its refresh token, RFC 7009 §2.1), a
// replayed refresh token (RFC 9700 §4.14.2) and an RP-initiated logout all
// end the grant; checking it on every request makes those end the access
// tokens too, at once. It is one keyed lookup and deliberately uncached, so
// a revoke on one server holds on every server sharing the database.

import type { Kysely } from 'kysely'
import type { JWTPayload } from 'jose'
import { OmniError } from '../core/errors.ts'
import { now } from '../core/time.ts'
import { oidcPayloadKey } from '../storage/oidc-payload-key.ts'
import type { Database } from '../storage/schema.ts'

/** The claim the built-in provider names the grant in. */
export const grantClaim = 'grant_id'

export type CheckGrant = (claims: JWTPayload) => Promise<void>

export function createGrantCheck(
  db: Kysely<Database>,
  startedAt = Math.floor(Date.now() / 1000),
): CheckGrant {
  return async function checkGrant(claims) {
    const grantId = claims[grantClaim]
    if (typeof grantId !== 'string') {
      // Only a server from before grants were named issued tokens without
      // one; each lapses within its lifetime of this server starting.
      const issued = typeof claims.iat === 'number' ? claims.iat : Infinity
      if (issued <= startedAt) return
      throw new OmniError('token_invalid')
    }

    const grant = await db
      .selectFrom('oidc_payloads')
      .select('expires_at')
      .where('model', '=', 'Grant')
      .where('id', '=', oidcPayloadKey(grantId))
      .executeTakeFirst()
    const live =
      grant !== undefined &&
      (grant.expires_at === null || grant.expires_at > now())
    if (!live) throw new OmniError('token_revoked')
  }
}
