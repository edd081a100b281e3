import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import {
  createTokenVerifier,
  localKeys,
  type VerifyToken,
} from './token-verifier.ts'

const issuer = 'https://issuer.example/oidc'
const audience = 'https://omni.example/api'

describe('bearer token verification', () => {
  let privateKey: CryptoKey
  let verify: VerifyToken

  before(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true })
    privateKey = pair.privateKey
    const jwk: JWK = {
      ...(await exportJWK(pair.publicKey)),
      kid: 'k1',
      alg: 'RS256',
    }
    verify = createTokenVerifier({
      issuer,
      audience,
      keys: localKeys({ keys: [jwk] }),
    })
  })

  function token(claims: Record<string, unknown> = {}, expiresIn = '5m') {
    return new SignJWT({
      email: 'a@example.com',
      email_verified: true,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('sub-1')
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey)
  }

  test('a token for the API from the issuer gives its claims', async () => {
    const claims = await verify(await token({ groups: ['admins'] }))

    assert.equal(claims.sub, 'sub-1')
    assert.equal(claims.email, 'a@example.com')
    assert.deepEqual(claims.groups, ['admins'])
  })

  test('an expired token is refused as expired', async () => {
    const stale = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('sub-1')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 120)
      .sign(privateKey)

    await assert.rejects(verify(stale), {
      code: 'token_expired',
      message: 'The credential has expired.',
    })
  })

  test('a token expired within the minute of clock tolerance still passes', async () => {
    const recent = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('sub-1')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 30)
      .sign(privateKey)

    assert.equal((await verify(recent)).sub, 'sub-1')
  })

  test('a token for another audience or from another issuer is invalid', async () => {
    const otherAudience = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('omnigent-cli')
      .setSubject('sub-1')
      .setExpirationTime('5m')
      .sign(privateKey)
    const otherIssuer = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://evil.example')
      .setAudience(audience)
      .setSubject('sub-1')
      .setExpirationTime('5m')
      .sign(privateKey)

    for (const bad of [otherAudience, otherIssuer]) {
      await assert.rejects(verify(bad), {
        code: 'token_invalid',
        message: 'The credential is not valid.',
      })
    }
  })

  test('a token signed with a shared secret or with no signature is invalid', async () => {
    const hmac = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('sub-1')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a-secret-that-is-long-enough-000000'))
    const [, payload] = (await token()).split('.')
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`

    for (const bad of [hmac, unsigned, 'not-a-jwt']) {
      await assert.rejects(verify(bad), { code: 'token_invalid' })
    }
  })

  test('the error never repeats the token', async () => {
    const value = await token({}, '-5m')
    const error = await verify(value).catch((e: unknown) => e)

    assert.ok(error instanceof Error)
    assert.equal(error.message.includes(value.slice(0, 20)), false)
    assert.equal(JSON.stringify(error).includes(value.slice(0, 20)), false)
  })
})
