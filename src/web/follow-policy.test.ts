import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { followCloseCodes } from '../protocol/follow.ts'
import { finalClose, followUrl, retryDelay } from './follow-policy.ts'

describe('followUrl', () => {
  it('turns an https origin into a wss follow URL after a seq', () => {
    assert.equal(
      followUrl('https://omni.example.com', 'ses_abc', 42),
      'wss://omni.example.com/api/sessions/ses_abc/follow?after=42',
    )
  })

  it('turns an http origin into ws and escapes the session id', () => {
    assert.equal(
      followUrl('http://127.0.0.1:6767', 'a/b', 0),
      'ws://127.0.0.1:6767/api/sessions/a%2Fb/follow?after=0',
    )
  })
})

describe('finalClose', () => {
  it('ends following with a reason when access is revoked', () => {
    assert.deepEqual(finalClose(followCloseCodes.accessRevoked), {
      code: 4404,
      reason: 'You no longer have access to this session.',
    })
  })

  it('ends following when the session is deleted', () => {
    assert.deepEqual(finalClose(followCloseCodes.sessionDeleted), {
      code: 4410,
      reason: 'This session was deleted.',
    })
  })

  it('ends following when sign-in ended or Omnigent is off', () => {
    assert.equal(finalClose(4401)?.code, 4401)
    assert.equal(
      finalClose(4403)?.reason,
      'Omnigent is not enabled for this workspace; ask a workspace admin.',
    )
  })

  it('retries a dropped connection or a server restart', () => {
    assert.equal(finalClose(1006), null)
    assert.equal(finalClose(1001), null)
    assert.equal(finalClose(1011), null)
  })
})

describe('retryDelay', () => {
  it('doubles from half a second and stops at ten seconds', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 10].map(retryDelay)

    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000])
  })
})
