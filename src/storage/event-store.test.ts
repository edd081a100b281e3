// The session event log, on every backend: SQLite and PostgreSQL return the same shapes.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Kysely } from 'kysely'
import { OmniError } from '../core/errors.ts'
import {
  appendEvent,
  lastSeq,
  listEvents,
  listUnfinishedTurns,
} from './event-store.ts'
import {
  at,
  sessionOf,
  signIn,
  useBackend,
  ws,
} from './storage.test-support.ts'
import type { Database } from './schema.ts'
import { storageBackends } from './test-backends.ts'

for (const backend of storageBackends()) {
  describe(`events on ${backend.name}`, () => {
    let db: Kysely<Database>
    useBackend(backend, (storage) => (db = storage.db))

    test('numbers events 1, 2, 3 per session', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const one = await sessionOf(db, ada)
      const two = await sessionOf(db, ada)
      assert.equal(await lastSeq(db, ws, one.id), 0)

      const seqs = []
      for (const text of ['a', 'b', 'c']) {
        const event = await appendEvent(db, ws, {
          sessionId: one.id,
          turnId: 't_1',
          kind: 'message',
          authorId: ada.id,
          payload: { text },
        })
        seqs.push(event.seq)
      }
      const other = await appendEvent(db, ws, {
        sessionId: two.id,
        turnId: null,
        kind: 'message',
        authorId: null,
        payload: { text: 'x' },
      })

      assert.deepEqual(seqs, [1, 2, 3])
      assert.strictEqual(other.seq, 1)
      assert.strictEqual(await lastSeq(db, ws, one.id), 3)
    })

    test('stores the payload as JSON text and returns the row', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const session = await sessionOf(db, ada)

      const event = await appendEvent(db, ws, {
        sessionId: session.id,
        turnId: 't_1',
        kind: 'tool.call',
        authorId: null,
        payload: { callId: 'c1', tool: 'read', args: { path: 'a.ts' } },
      })

      assert.deepEqual(event, {
        workspace_id: ws,
        session_id: session.id,
        seq: 1,
        turn_id: 't_1',
        kind: 'tool.call',
        author_id: null,
        payload: '{"callId":"c1","tool":"read","args":{"path":"a.ts"}}',
        created_at: at(0),
      })
    })

    test('pages after a seq with a limit, in order', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const session = await sessionOf(db, ada)
      for (let i = 1; i <= 5; i++) {
        await appendEvent(db, ws, {
          sessionId: session.id,
          turnId: null,
          kind: 'message',
          authorId: ada.id,
          payload: { text: `m${i}` },
        })
      }

      const page = await listEvents(db, ws, session.id, 1, 2)
      const rest = await listEvents(db, ws, session.id, 3)

      assert.deepEqual(
        page.map((e) => [e.seq, e.payload]),
        [
          [2, '{"text":"m2"}'],
          [3, '{"text":"m3"}'],
        ],
      )
      assert.deepEqual(
        rest.map((e) => e.seq),
        [4, 5],
      )
      assert.deepEqual(await listEvents(db, ws, session.id, 5), [])
      assert.deepEqual(await listEvents(db, 'w_other', session.id, 0), [])
    })

    test('lists the turns that have a message and no end', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const one = await sessionOf(db, ada)
      const two = await sessionOf(db, ada)
      const event = (sessionId: string, turnId: string, kind: string) =>
        appendEvent(db, ws, {
          sessionId,
          turnId,
          kind,
          authorId: kind === 'message' ? ada.id : null,
          payload: kind === 'turn.end' ? { status: 'completed' } : {},
        })
      await event(one.id, 't_done', 'message')
      await event(one.id, 't_done', 'assistant.text')
      await event(one.id, 't_done', 'turn.end')
      await event(one.id, 't_open', 'message')
      await event(one.id, 't_open', 'tool.call')
      await event(two.id, 't_other', 'message')

      const open = await listUnfinishedTurns(db, ws)

      assert.deepEqual(
        open.map((turn) => [turn.session_id, turn.turn_id]).sort(),
        [
          [one.id, 't_open'],
          [two.id, 't_other'],
        ].sort(),
      )
      assert.deepEqual(await listUnfinishedTurns(db, 'w_other'), [])
    })

    test("joins the author's current email", async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const session = await sessionOf(db, ada)
      const stored = await appendEvent(db, ws, {
        sessionId: session.id,
        turnId: null,
        kind: 'message',
        authorId: ada.id,
        payload: { text: 'hi' },
      })
      await appendEvent(db, ws, {
        sessionId: session.id,
        turnId: null,
        kind: 'assistant.text',
        authorId: null,
        payload: { text: 'hello' },
      })
      await signIn(db, 'sub-1', 'ada.l@example.com')

      const [mine, agent] = await listEvents(db, ws, session.id, 0)

      assert.deepEqual(mine, { ...stored, author_email: 'ada.l@example.com' })
      assert.equal(agent?.author_email, null)
    })

    test('never gives two racing appends the same seq', async () => {
      const ada = await signIn(db, 'sub-1', 'ada@example.com')
      const session = await sessionOf(db, ada)

      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          appendEvent(db, ws, {
            sessionId: session.id,
            turnId: null,
            kind: 'message',
            authorId: ada.id,
            payload: { i },
          }),
        ),
      )

      const stored = results.flatMap((r) =>
        r.status === 'fulfilled' ? [r.value.seq] : [],
      )
      assert.ok(stored.length >= 1)
      assert.equal(new Set(stored).size, stored.length)
      for (const r of results) {
        if (r.status === 'fulfilled') continue
        assert.equal((r.reason as OmniError).code, 'conflict')
        assert.equal(
          (r.reason as OmniError).message,
          'Another event was stored for this session at the same time.',
        )
      }
      const listed = await listEvents(db, ws, session.id, 0)
      assert.deepEqual(
        listed.map((e) => e.seq),
        stored.sort((a, b) => a - b),
      )
    })
  })
}
