// The append-only audit trail, on every backend: SQLite and PostgreSQL return the same shapes.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Kysely } from 'kysely'
import { appendAudit, listAudit } from './audit-store.ts'
import { at, useBackend, ws } from './storage.test-support.ts'
import type { Database } from './schema.ts'
import { storageBackends } from './test-backends.ts'

for (const backend of storageBackends()) {
  describe(`audit on ${backend.name}`, () => {
    let db: Kysely<Database>
    useBackend(backend, (storage) => (db = storage.db))

    test('appends entries and lists them oldest first', async () => {
      const first = await appendAudit(db, ws, {
        actorId: 'u_1',
        actorEmail: 'ada@example.com',
        action: 'session.share',
        targetType: 'session',
        targetId: 's_1',
        sessionId: 's_1',
        detail: { email: 'bob@example.com', level: 'read' },
      })
      await appendAudit(db, ws, {
        actorId: null,
        actorEmail: null,
        action: 'workspace.enable',
        targetType: 'workspace',
        targetId: ws,
        sessionId: null,
      })
      await appendAudit(db, ws, {
        actorId: 'u_1',
        actorEmail: 'ada@example.com',
        action: 'session.rename',
        targetType: 'session',
        targetId: 's_1',
        sessionId: 's_1',
      })
      await appendAudit(db, 'w_other', {
        actorId: null,
        actorEmail: null,
        action: 'x',
        targetType: 'x',
        targetId: 'x',
        sessionId: 's_1',
      })

      assert.equal(typeof first.id, 'number')
      assert.deepEqual(first, {
        id: first.id,
        workspace_id: ws,
        at: at(0),
        actor_id: 'u_1',
        actor_email: 'ada@example.com',
        action: 'session.share',
        target_type: 'session',
        target_id: 's_1',
        session_id: 's_1',
        detail: '{"email":"bob@example.com","level":"read"}',
      })
      const all = await listAudit(db, ws)
      assert.deepEqual(
        all.map((a) => a.action),
        ['session.share', 'workspace.enable', 'session.rename'],
      )
      assert.equal(all[1]?.detail, '{}')
      const forSession = await listAudit(db, ws, { sessionId: 's_1' })
      assert.deepEqual(
        forSession.map((a) => a.action),
        ['session.share', 'session.rename'],
      )
      const latest = await listAudit(db, ws, { limit: 2 })
      assert.deepEqual(
        latest.map((a) => a.action),
        ['workspace.enable', 'session.rename'],
      )
    })

    test('filters by actor before the limit and pages back by id', async () => {
      const mine = await appendAudit(db, ws, {
        actorId: 'u_1',
        actorEmail: 'ada@example.com',
        action: 'session.create',
        targetType: 'session',
        targetId: 's_1',
        sessionId: 's_1',
      })
      for (let i = 0; i < 5; i++) {
        await appendAudit(db, ws, {
          actorId: 'u_2',
          actorEmail: 'bob@example.com',
          action: 'session.rename',
          targetType: 'session',
          targetId: 's_2',
          sessionId: 's_2',
        })
      }

      const own = await listAudit(db, ws, { actorId: 'u_1', limit: 2 })
      assert.deepEqual(
        own.map((a) => a.id),
        [mine.id],
      )

      const newest = await listAudit(db, ws, { limit: 2 })
      const older = await listAudit(db, ws, {
        limit: 2,
        beforeId: newest[0]!.id,
      })
      assert.equal(older.length, 2)
      assert.ok(older[1]!.id < newest[0]!.id)
      const oldest = await listAudit(db, ws, {
        limit: 2,
        beforeId: older[0]!.id,
      })
      assert.deepEqual(
        oldest.map((a) => a.action),
        ['session.create', 'session.rename'],
      )
    })
  })
}
