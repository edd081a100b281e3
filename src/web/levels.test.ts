import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { canEdit, levelLabel, withViewerLevel } from './levels.ts'

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

  it("shows the viewer's live level on their own row only", () => {
    const people = [
      { email: 'alice@example.com', level: 'owner' as const },
      { email: 'bob@example.com', level: 'read' as const },
      { email: 'carol@example.com', level: 'read' as const },
    ]
    assert.deepEqual(withViewerLevel(people, 'bob@example.com', 'edit'), [
      { email: 'alice@example.com', level: 'owner' },
      { email: 'bob@example.com', level: 'edit' },
      { email: 'carol@example.com', level: 'read' },
    ])
    assert.deepEqual(
      withViewerLevel(people, 'alice@example.com', 'owner'),
      people,
    )
  })
})
