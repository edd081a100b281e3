import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { createUserinfoCheck } from './userinfo-check.ts'

// A stand-in issuer's userinfo endpoint: tokens named in `people` are good.
describe('opaque tokens at the issuer’s userinfo endpoint', () => {
  const people = new Map([
    ['opaque-ana', { sub: 'ana', email: 'ana@example.com' }],
    ['opaque-bob', { sub: 'bob', email: 'bob@example.com' }],
    ['opaque-cy', { sub: 'cy', email: 'cy@example.com' }],
  ])
  let calls: string[] = []
  let server: Server
  let endpoint: string
  let down = false

  before(async () => {
    server = createServer((req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      calls.push(token)
      if (down) return void res.writeHead(502).end()
      const claims = people.get(token)
      if (claims === undefined) return void res.writeHead(401).end()
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(claims))
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const { port } = server.address() as { port: number }
    endpoint = `http://127.0.0.1:${port}/userinfo`
  })
  after(() => {
    server.close()
  })

  const check = (options: { ttlMs?: number; maxEntries?: number } = {}) => {
    calls = []
    down = false
    return createUserinfoCheck({ endpoint: async () => endpoint, ...options })
  }

  test('the issuer’s answer is used and cached for a short time', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 0 })
    const opaque = check({ ttlMs: 60_000 })

    assert.deepEqual(await opaque('opaque-ana'), people.get('opaque-ana'))
    await opaque('opaque-ana')
    assert.deepEqual(calls, ['opaque-ana'])

    t.mock.timers.tick(61_000)
    await opaque('opaque-ana')
    assert.deepEqual(calls, ['opaque-ana', 'opaque-ana'])
  })

  test('the cache holds a bounded number of answers', async () => {
    const opaque = check({ maxEntries: 2 })
    for (const token of ['opaque-ana', 'opaque-bob', 'opaque-cy']) {
      await opaque(token)
    }
    await opaque('opaque-cy')
    await opaque('opaque-ana')

    assert.deepEqual(calls, [
      'opaque-ana',
      'opaque-bob',
      'opaque-cy',
      'opaque-ana',
    ])
  })

  test('a refused token is refused each time and never cached', async () => {
    const opaque = check()
    for (let i = 0; i < 2; i += 1) {
      await assert.rejects(opaque('made-up'), {
        code: 'token_invalid',
        message: 'The credential is not valid.',
      })
    }
    assert.deepEqual(calls, ['made-up', 'made-up'])
  })

  test('an issuer fault is an outage, retried on the next request', async () => {
    const opaque = check()
    down = true
    await assert.rejects(opaque('opaque-ana'), {
      code: 'issuer_unreachable',
      message: 'The workspace sign-in is not reachable now; try again shortly.',
    })

    down = false
    assert.equal((await opaque('opaque-ana')).sub, 'ana')
    assert.equal(calls.length, 2)
  })

  test('an issuer without a userinfo endpoint accepts no opaque token', async () => {
    const opaque = createUserinfoCheck({ endpoint: async () => undefined })
    await assert.rejects(opaque('opaque-ana'), { code: 'token_invalid' })
  })
})
