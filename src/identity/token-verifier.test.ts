import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { createServer } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import {
  createTokenVerifier,
  localKeys,
  remoteKeys,
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

  const clockSkew = {
    code: 'clock_skew',
    message:
      "The token's time is off by more than a minute; check this machine's clock.",
  }
  const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds

  function timed(times: { iat?: number; nbf?: number; exp: number }) {
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('sub-1')
      .setExpirationTime(times.exp)
    if (times.iat !== undefined) jwt.setIssuedAt(times.iat)
    if (times.nbf !== undefined) jwt.setNotBefore(times.nbf)
    return jwt.sign(privateKey)
  }

  test('a token not yet valid by more than a minute is a clock problem, not a bad token', async () => {
    const early = await timed({ nbf: inSeconds(120), exp: inSeconds(900) })
    await assert.rejects(verify(early), clockSkew)
  })

  test('a token issued more than a minute in the future is a clock problem', async () => {
    const future = await timed({ iat: inSeconds(120), exp: inSeconds(900) })
    await assert.rejects(verify(future), clockSkew)
  })

  test('issue and start times within the minute of tolerance pass', async () => {
    const close = await timed({
      iat: inSeconds(40),
      nbf: inSeconds(40),
      exp: inSeconds(900),
    })
    assert.equal((await verify(close)).sub, 'sub-1')
  })
})

describe('keys from the issuer’s JWKS endpoint', () => {
  test('a token signed with a new key verifies once the issuer publishes it', async () => {
    const makeKey = async (kid: string) => {
      const pair = await generateKeyPair('RS256', { extractable: true })
      const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256' }
      return { privateKey: pair.privateKey, jwk }
    }
    const old = await makeKey('old')
    const rotated = await makeKey('new')
    let published = [old.jwk]
    let fetches = 0
    const jwks = createServer((_req, res) => {
      fetches += 1
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ keys: published }))
    })
    await new Promise<void>((done) => jwks.listen(0, '127.0.0.1', done))
    const { port } = jwks.address() as { port: number }

    try {
      const verify = createTokenVerifier({
        issuer,
        audience,
        keys: remoteKeys(async () => `http://127.0.0.1:${port}/jwks`, {
          cooldownMs: 0,
        }),
      })
      const sign = (key: CryptoKey, kid: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', kid })
          .setIssuer(issuer)
          .setAudience(audience)
          .setSubject('sub-1')
          .setExpirationTime('5m')
          .sign(key)

      assert.equal(
        (await verify(await sign(old.privateKey, 'old'))).sub,
        'sub-1',
      )
      assert.equal(
        (await verify(await sign(old.privateKey, 'old'))).sub,
        'sub-1',
      )
      assert.equal(fetches, 1)

      published = [rotated.jwk]
      const fresh = await sign(rotated.privateKey, 'new')
      assert.equal((await verify(fresh)).sub, 'sub-1')
      assert.equal(fetches, 2)

      await assert.rejects(verify(await sign(old.privateKey, 'old')), {
        code: 'token_invalid',
        message: 'The credential is not valid.',
      })
    } finally {
      jwks.close()
    }
  })

  test('an unreachable key set is the issuer’s outage, not a bad token', async () => {
    const verify = createTokenVerifier({
      issuer,
      audience,
      keys: remoteKeys(async () => 'http://127.0.0.1:9/jwks'),
    })
    const pair = await generateKeyPair('RS256')
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('sub-1')
      .setExpirationTime('5m')
      .sign(pair.privateKey)

    await assert.rejects(verify(token), {
      code: 'issuer_unreachable',
      message: 'The workspace sign-in is not reachable now; try again shortly.',
    })
  })
})
