import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { identityFromClaims, standardClaimRules } from './identity-claims.ts'

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
        { ...standardClaimRules, adminGroup: 'omni-admins' },
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

  test('another email claim counts only when configured as trusted, without email_verified', () => {
    const claims = { sub: 'abc', preferred_username: 'Ada@Corp.example' }
    const rules = {
      ...standardClaimRules,
      emailClaim: 'preferred_username',
      emailClaimTrusted: true,
    }

    assert.equal(
      identityFromClaims(issuer, claims, rules).email,
      'ada@corp.example',
    )
    assert.throws(
      () =>
        identityFromClaims(issuer, claims, {
          ...rules,
          emailClaimTrusted: false,
        }),
      {
        code: 'email_unverified',
        message: 'Your workspace did not confirm your email address.',
      },
    )
  })

  test('a claim that is not an email address is refused', () => {
    const rules = {
      ...standardClaimRules,
      emailClaim: 'preferred_username',
      emailClaimTrusted: true,
    }
    assert.throws(
      () =>
        identityFromClaims(
          issuer,
          { sub: 'abc', preferred_username: 'ada' },
          rules,
        ),
      {
        code: 'email_unverified',
        message: 'Your workspace did not share your email address.',
      },
    )
  })

  test('groups come from the configured claim', () => {
    const rules = { ...standardClaimRules, groupsClaim: 'roles' }
    const claims = { sub: 'abc', email: 'a@b.c', email_verified: true }

    assert.equal(
      identityFromClaims(issuer, { ...claims, roles: ['admins'] }, rules)
        .isAdmin,
      true,
    )
    assert.equal(
      identityFromClaims(issuer, { ...claims, groups: ['admins'] }, rules)
        .isAdmin,
      false,
    )
  })
})
