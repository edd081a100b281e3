// One rule for what an email address is, shared by the directory, grants and
// every other entry point, so an address one of them takes the others take
// too. Internationalised addresses (RFC 6531) are allowed; the limits are
// those of RFC 5321 §4.5.3.1: 64 octets of local part, 254 in all (the
// 256-octet path less its angle brackets).

import { OmniError } from './errors.ts'

export const maxEmailLength = 254
const maxLocalPartLength = 64

// No space, control character, `@` or RFC 5322 special in the local part;
// the domain is two or more labels of letters, digits and inner hyphens.
const localPart = /^[^\s\p{Cc}@<>()[\]\\,;:"]+$/u
const domainLabel = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u

/** The address trimmed and lower-cased, or `invalid_input` saying why not. */
export function normalizeEmail(value: string): string {
  const email = value.trim().toLowerCase()
  if (email.length > maxEmailLength) {
    throw new OmniError(
      'invalid_input',
      `An email address must be at most ${maxEmailLength} characters.`,
    )
  }
  if (!isEmailShape(email)) {
    throw new OmniError('invalid_input', 'Enter a valid email address.')
  }
  return email
}

function isEmailShape(email: string): boolean {
  const at = email.lastIndexOf('@')
  const local = email.slice(0, at)
  const labels = email.slice(at + 1).split('.')

  if (at < 1 || local.length > maxLocalPartLength) return false
  if (!localPart.test(local)) return false
  return labels.length >= 2 && labels.every((label) => domainLabel.test(label))
}
