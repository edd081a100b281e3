import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { reconnectDelay } from './backoff.ts'

describe('reconnectDelay', () => {
  it('doubles from half a second up to thirty seconds', () => {
    const top = (failures: number) => reconnectDelay(failures, () => 1)

    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 20].map(top),
      [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
    )
  })

  it('draws each delay from the upper half of its range', () => {
    assert.equal(
      reconnectDelay(1, () => 0),
      250,
    )
    assert.equal(
      reconnectDelay(7, () => 0),
      15000,
    )
    assert.equal(
      reconnectDelay(3, () => 0.5),
      1500,
    )
  })

  it('caps the delay where a shorter wait is asked for', () => {
    const top = (failures: number) => reconnectDelay(failures, () => 1, 5000)

    assert.deepEqual(
      [1, 2, 3, 4, 5, 20].map(top),
      [500, 1000, 2000, 4000, 5000, 5000],
    )
  })
})
