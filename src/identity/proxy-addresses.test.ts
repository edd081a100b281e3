import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseAddressList } from './proxy-addresses.ts'

describe('trusted proxy addresses', () => {
  test('ranges and single addresses match the socket address', () => {
    const trusted = parseAddressList(['10.1.0.0/16', '192.0.2.7', 'fd00::/8'])

    assert.equal(trusted('10.1.200.3'), true)
    assert.equal(trusted('::ffff:10.1.0.1'), true)
    assert.equal(trusted('192.0.2.7'), true)
    assert.equal(trusted('fd12::1'), true)
    assert.equal(trusted('10.2.0.1'), false)
    assert.equal(trusted('192.0.2.8'), false)
    assert.equal(trusted('127.0.0.1'), false)
    assert.equal(trusted(undefined), false)
  })

  test('an entry that is not an address or range is refused by name', () => {
    for (const entry of [
      '10.0.0.0/33',
      'proxy.internal',
      '10.0.0.0/x',
      '::/129',
    ]) {
      assert.throws(() => parseAddressList([entry]), {
        message: `"${entry}" is not an IP address or CIDR range`,
      })
    }
  })
})
