import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { hashPassword, verifyPassword } from './password-hash.ts'

describe('password hashing', () => {
  test('a hash verifies its own password and no other', async () => {
    const stored = await hashPassword('correct horse battery')

    assert.equal(await verifyPassword('correct horse battery', stored), true)
    assert.equal(await verifyPassword('correct horse batterY', stored), false)
    assert.equal(await verifyPassword('', stored), false)
  })

  test('the stored string holds scrypt parameters and never the password', async () => {
    const stored = await hashPassword('correct horse battery')

    assert.match(stored, /^scrypt\$32768\$8\$1\$[^$]+\$[^$]+$/)
    assert.equal(stored.includes('correct horse battery'), false)
  })

  test('two hashes of one password differ by their salt', async () => {
    const first = await hashPassword('same password')
    const second = await hashPassword('same password')

    assert.notEqual(first, second)
    assert.equal(await verifyPassword('same password', second), true)
  })

  test('a string that is not a scrypt hash never verifies', async () => {
    assert.equal(await verifyPassword('x', 'plain-text'), false)
    assert.equal(
      await verifyPassword('x', 'scrypt$0$8$1$c2FsdA==$aGFzaA=='),
      false,
    )
  })
})
