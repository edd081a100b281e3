// Turns an issuer's claims (from an ID token, a JWT access token or a
// userinfo answer) into the identity Omnigent keys a user by. Only an email
// the workspace vouches for counts: sharing is by email, so an unverified
// one could claim someone's grants.

import { OmniError } from '../core/errors.ts'
import type { Identity } from '../storage/user-store.ts'

export const defaultAdminGroup = 'admins'

/** Which claims carry the email and the groups. */
export interface ClaimRules {
  /** `email` needs `email_verified: true` beside it. */
  emailClaim: string
  /** Set only for another claim (such as `preferred_username` or `upn`)
   * that has no verification flag: the issuer is trusted to have checked
   * it. Configuration refuses it for `email`. */
  emailClaimTrusted: boolean
  groupsClaim: string
  adminGroup: string
}

export const standardClaimRules: ClaimRules = Object.freeze({
  emailClaim: 'email',
  emailClaimTrusted: false,
  groupsClaim: 'groups',
  adminGroup: defaultAdminGroup,
})

export function identityFromClaims(
  issuer: string,
  claims: Record<string, unknown>,
  rules: ClaimRules = standardClaimRules,
): Identity {
  const { sub } = claims
  if (typeof sub !== 'string' || sub === '') {
    throw new OmniError('token_invalid')
  }

  const email = claims[rules.emailClaim]
  if (typeof email !== 'string' || !email.includes('@')) {
    throw new OmniError(
      'email_unverified',
      'Your workspace did not share your email address.',
    )
  }
  // OpenID Connect Core §5.1 makes email_verified a boolean; a string "true"
  // or a missing claim is not a confirmation.
  if (!rules.emailClaimTrusted && claims.email_verified !== true) {
    throw new OmniError('email_unverified')
  }

  const groups = claims[rules.groupsClaim]
  return {
    issuer,
    subject: sub,
    email: email.toLowerCase(),
    emailVerified: true,
    isAdmin: Array.isArray(groups) && groups.includes(rules.adminGroup),
  }
}
