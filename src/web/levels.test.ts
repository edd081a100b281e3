import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { canEdit, levelLabel } from './levels.ts'

describe('levels', () => {
  it('offers editing controls to owners and editors only', () => {
    assert.equal(canEdit('owner'), true)
    assert.equal(canEdit('edit'), true)
    assert.equal(canEdit('read'), false)
    assert.equal(canEdit(null), false)
  })

  it('names each level as the product does', () => {
    assert.deepEqual((['owner', 'edit', 'read'] as const).map(levelLabel), [
      'Owner',
      'Edit',
      'Read',
    ])
  })
})
