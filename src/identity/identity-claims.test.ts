import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { identityFromClaims } from './identity-claims.ts'

const issuer = 'https://issuer.example'

describe('identity from issuer claims', () => {
  test('a verified email and the admins group make an admin identity', () => {
    const identity = identityFromClaims(issuer, {
      sub: 'abc',
      email: 'Ada@Example.com',
      email_verified: true,
      groups: ['staff', 'admins'],
    })

    assert.deepEqual(identity, {
      issuer,
      subject: 'abc',
      email: 'ada@example.com',
      emailVerified: true,
      isAdmin: true,
    })
  })

  test('the admin group name is configurable and matched exactly', () => {
    const claims = { sub: 'abc', email: 'a@b.c', email_verified: true }

    assert.equal(
      identityFromClaims(
        issuer,
        { ...claims, groups: ['omni-admins'] },
        'omni-admins',
      ).isAdmin,
      true,
    )
    assert.equal(
      identityFromClaims(issuer, { ...claims, groups: ['Admins'] }).isAdmin,
      false,
    )
    assert.equal(
      identityFromClaims(issuer, { ...claims, groups: 'admins' }).isAdmin,
      false,
    )
  })

  test('an email the workspace did not verify is refused', () => {
    for (const email_verified of [false, 'true', 1, undefined]) {
      assert.throws(
        () =>
          identityFromClaims(issuer, {
            sub: 'abc',
            email: 'a@b.c',
            email_verified,
          }),
        {
          code: 'email_unverified',
          message: 'Your workspace did not confirm your email address.',
        },
      )
    }
  })

  test('claims without an email are refused', () => {
    assert.throws(
      () => identityFromClaims(issuer, { sub: 'abc', email_verified: true }),
      {
        code: 'email_unverified',
        message: 'Your workspace did not share your email address.',
      },
    )
  })

  test('claims without a subject are invalid', () => {
    assert.throws(
      () =>
        identityFromClaims(issuer, { email: 'a@b.c', email_verified: true }),
      { code: 'token_invalid', message: 'The credential is not valid.' },
    )
  })
})
