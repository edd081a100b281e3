import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseRoute, sessionPath } from './routes.ts'
import { safeReturnPath, signInHref } from './return-to.ts'

describe('parseRoute', () => {
  it('maps each page path to its page', () => {
    assert.deepEqual(parseRoute('/'), { name: 'sessions' })
    assert.deepEqual(parseRoute('/sessions'), { name: 'sessions' })
    assert.deepEqual(parseRoute('/hosts/'), { name: 'hosts' })
    assert.deepEqual(parseRoute('/admin'), { name: 'admin' })
    assert.deepEqual(parseRoute('/nowhere'), { name: 'not-found' })
  })

  it('reads the session id back from sessionPath', () => {
    const path = sessionPath('ses_a b/c')

    assert.equal(path, '/sessions/ses_a%20b%2Fc')
    assert.deepEqual(parseRoute(path), { name: 'session', id: 'ses_a b/c' })
  })

  it('does not treat deeper session paths as a session', () => {
    assert.deepEqual(parseRoute('/sessions/ses_1/files'), {
      name: 'not-found',
    })
  })
})

describe('signInHref', () => {
  it('returns to the page the user was on, query included', () => {
    assert.equal(
      signInHref('/sessions/ses_1?x=1'),
      '/auth/login?returnTo=%2Fsessions%2Fses_1%3Fx%3D1',
    )
  })

  it('never returns to another site', () => {
    assert.equal(safeReturnPath('https://evil.example/'), '/')
    assert.equal(safeReturnPath('//evil.example/x'), '/')
    assert.equal(safeReturnPath('/\\evil.example'), '/')
    assert.equal(signInHref('//evil.example'), '/auth/login?returnTo=%2F')
  })
})
