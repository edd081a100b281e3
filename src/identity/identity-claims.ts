// Turns an issuer's claims (from an ID token or a JWT access token) into the
// identity Omnigent keys a user by. Only a workspace-verified email counts:
// sharing is by email, so an unverified one could claim someone's grants.

import { OmniError } from '../core/errors.ts'
import type { Identity } from '../storage/user-store.ts'

export const defaultAdminGroup = 'admins'

export function identityFromClaims(
  issuer: string,
  claims: Record<string, unknown>,
  adminGroup = defaultAdminGroup,
): Identity {
  const { sub, email, email_verified: emailVerified, groups } = claims
  if (typeof sub !== 'string' || sub === '') {
    throw new OmniError('token_invalid')
  }
  if (typeof email !== 'string' || email === '') {
    throw new OmniError(
      'email_unverified',
      'Your workspace did not share your email address.',
    )
  }
  // OpenID Connect Core §5.1 makes email_verified a boolean; a string "true"
  // or a missing claim is not a confirmation.
  if (emailVerified !== true) throw new OmniError('email_unverified')

  return {
    issuer,
    subject: sub,
    email: email.toLowerCase(),
    emailVerified: true,
    isAdmin: Array.isArray(groups) && groups.includes(adminGroup),
  }
}
