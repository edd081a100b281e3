import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { judgeOrigin, originOf } from './same-origin.ts'

describe('same origin', () => {
  test('a default port is the same as no port', () => {
    assert.equal(
      originOf('http://omni.example.com:80'),
      'http://omni.example.com',
    )
    assert.equal(
      originOf('https://omni.example.com:443/x?y'),
      'https://omni.example.com',
    )
    assert.equal(
      judgeOrigin({ origin: 'http://host:80' }, 'http://host'),
      'same',
    )
  })

  test('another port, scheme or host is another origin', () => {
    for (const origin of [
      'http://host:8080',
      'https://host',
      'http://evil.host',
    ]) {
      assert.equal(judgeOrigin({ origin }, 'http://host'), 'cross', origin)
    }
  })

  test('an opaque origin or something that is no URL is never ours', () => {
    for (const origin of ['null', '', 'host', 'file:///etc/passwd']) {
      assert.equal(judgeOrigin({ origin }, 'http://host'), 'cross', origin)
    }
  })

  test('Referer counts only when Origin is missing', () => {
    assert.equal(
      judgeOrigin({ referer: 'http://host/sessions/s_1' }, 'http://host'),
      'same',
    )
    assert.equal(
      judgeOrigin(
        { origin: 'http://evil', referer: 'http://host/' },
        'http://host',
      ),
      'cross',
    )
    assert.equal(judgeOrigin({}, 'http://host'), 'unknown')
  })
})
