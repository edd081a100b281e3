import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  decideHost,
  decideHostClaim,
  decideSession,
  decideWorkspace,
  type Actor,
  type Decision,
  type Relation,
  type SessionAction,
} from './policy.ts'

// The access table of the product brief, row by row. `ok` allows; a code is
// the refusal. "admin with no grant" and "other member" both have no
// relation: being an admin never opens a session.
const table: Array<[SessionAction, Record<Relation, string>]> = [
  ['session.view', { owner: 'ok', edit: 'ok', read: 'ok', none: 'not_found' }],
  [
    'session.send',
    { owner: 'ok', edit: 'ok', read: 'needs_edit', none: 'not_found' },
  ],
  [
    'session.interrupt',
    { owner: 'ok', edit: 'ok', read: 'needs_edit', none: 'not_found' },
  ],
  [
    'session.shell.open',
    { owner: 'ok', edit: 'ok', read: 'needs_edit', none: 'not_found' },
  ],
  [
    'session.shell.watch',
    { owner: 'ok', edit: 'ok', read: 'ok', none: 'not_found' },
  ],
  [
    'session.files.read',
    { owner: 'ok', edit: 'ok', read: 'ok', none: 'not_found' },
  ],
  [
    'session.hostfiles',
    { owner: 'ok', edit: 'ok', read: 'needs_edit', none: 'not_found' },
  ],
  [
    'session.rename',
    { owner: 'ok', edit: 'ok', read: 'needs_edit', none: 'not_found' },
  ],
  [
    'session.share',
    { owner: 'ok', edit: 'owner_only', read: 'owner_only', none: 'not_found' },
  ],
  [
    'session.leave',
    { owner: 'invalid_input', edit: 'ok', read: 'ok', none: 'not_found' },
  ],
  [
    'session.delete',
    { owner: 'ok', edit: 'owner_only', read: 'owner_only', none: 'not_found' },
  ],
  [
    'session.audit',
    { owner: 'ok', edit: 'owner_only', read: 'owner_only', none: 'not_found' },
  ],
]

function outcome(decision: Decision): string {
  return decision.allowed ? 'ok' : decision.error.code
}

const member: Actor = {
  userId: 'u_member',
  email: 'm@example.com',
  isAdmin: false,
}
const admin: Actor = {
  userId: 'u_admin',
  email: 'a@example.com',
  isAdmin: true,
}

describe('session decisions', () => {
  for (const [action, expected] of table) {
    for (const relation of ['owner', 'edit', 'read', 'none'] as const) {
      test(`${action} by ${relation} is ${expected[relation]}`, () => {
        assert.equal(
          outcome(decideSession(relation, action)),
          expected[relation],
        )
      })
    }
  }

  test('a refusal for lack of level names the level needed', () => {
    const decision = decideSession('read', 'session.send')
    assert.equal(decision.allowed, false)
    if (!decision.allowed) {
      assert.equal(decision.error.status, 403)
      assert.equal(decision.error.message, 'This needs Edit access.')
    }
  })

  test('a caller who may not see the session gets 404', () => {
    const decision = decideSession('none', 'session.delete')
    assert.equal(decision.allowed, false)
    if (!decision.allowed) assert.equal(decision.error.status, 404)
  })
})

describe('workspace decisions', () => {
  test('members are told Omnigent is off on every use while it is off', () => {
    const decision = decideWorkspace(member, 'workspace.use', false)
    assert.equal(outcome(decision), 'not_enabled')
    if (!decision.allowed) {
      assert.equal(
        decision.error.message,
        'Omnigent is not enabled for this workspace; ask a workspace admin.',
      )
    }
  })

  test('admins reach only the switch and the directory while it is off', () => {
    assert.equal(
      outcome(decideWorkspace(admin, 'workspace.toggle', false)),
      'ok',
    )
    assert.equal(
      outcome(decideWorkspace(admin, 'workspace.users.add', false)),
      'ok',
    )
    assert.equal(
      outcome(decideWorkspace(member, 'workspace.users.add', false)),
      'admin_only',
    )
    assert.equal(
      outcome(decideWorkspace(admin, 'workspace.use', false)),
      'not_enabled',
    )
    assert.equal(
      outcome(decideWorkspace(admin, 'workspace.audit', false)),
      'not_enabled',
    )
  })

  test('only admins turn it on or off, add users and read the workspace trail', () => {
    assert.equal(
      outcome(decideWorkspace(member, 'workspace.toggle', true)),
      'admin_only',
    )
    assert.equal(
      outcome(decideWorkspace(member, 'workspace.users.add', true)),
      'admin_only',
    )
    assert.equal(
      outcome(decideWorkspace(member, 'workspace.audit', true)),
      'admin_only',
    )
    assert.equal(outcome(decideWorkspace(admin, 'workspace.audit', true)), 'ok')
  })

  test('anyone may read whether it is on', () => {
    assert.equal(
      outcome(decideWorkspace(member, 'workspace.status', false)),
      'ok',
    )
  })
})

describe('host decisions', () => {
  test('only the owner sees a host; others are told it does not exist', () => {
    assert.equal(outcome(decideHost(member, 'u_member')), 'ok')
    assert.equal(outcome(decideHost(admin, 'u_member')), 'not_found')
  })

  test('a new host id is anyone’s to claim; a known one only its owner’s', () => {
    assert.equal(outcome(decideHostClaim(member, undefined)), 'ok')
    assert.equal(outcome(decideHostClaim(member, 'u_member')), 'ok')
    const taken = decideHostClaim(admin, 'u_member')
    assert.equal(taken.allowed, false)
    if (!taken.allowed) {
      assert.equal(taken.error.code, 'host_taken')
      assert.equal(
        taken.error.message,
        'This host id is registered to another user.',
      )
    }
  })
})
