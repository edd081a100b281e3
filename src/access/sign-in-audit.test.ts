import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { listAudit } from '../storage/audit-store.ts'
import { storageBackends } from '../storage/test-backends.ts'
import { auditSignIn } from './sign-in-audit.ts'

for (const backend of storageBackends()) {
  describe(`sign-in audit on ${backend.name}`, () => {
    test('records who signed in and how, and nothing secret', async () => {
      const storage = await backend.open()
      try {
        const actor = {
          userId: 'u_ann',
          email: 'ann@example.com',
          isAdmin: false,
        }
        await auditSignIn(storage.db, 'default', actor, 'device')

        const [entry, ...rest] = await listAudit(storage.db, 'default')
        assert.deepEqual(rest, [])
        assert.deepEqual(
          [
            entry?.actor_email,
            entry?.action,
            entry?.target_type,
            entry?.target_id,
            entry?.session_id,
          ],
          ['ann@example.com', 'user.sign-in', 'user', 'u_ann', null],
        )
        assert.deepEqual(JSON.parse(entry?.detail ?? ''), { method: 'device' })
      } finally {
        await storage.close()
      }
    })
  })
}
