import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Storage } from '../storage/database.ts'
import { storageBackends } from '../storage/test-backends.ts'
import { createGrantCheck } from './grant-check.ts'
import { createPayloadAdapter } from './provider-adapter.ts'

const startedAt = 1_900_000_000

for (const backend of storageBackends()) {
  describe(`the grant behind an access token on ${backend.name}`, () => {
    let storage: Storage
    before(async () => {
      storage = await backend.open()
    })
    after(async () => {
      await storage.close()
    })

    test('a token of a live grant passes and of a destroyed one is revoked', async () => {
      const grants = createPayloadAdapter(storage.db)('Grant')
      const check = createGrantCheck(storage.db, startedAt)
      await grants.upsert('grant-1', { jti: 'grant-1', accountId: 'du_1' }, 60)

      await check({ grant_id: 'grant-1', iat: startedAt + 5 })
      await grants.destroy('grant-1')

      await assert.rejects(check({ grant_id: 'grant-1', iat: startedAt + 5 }), {
        code: 'token_revoked',
        message: 'The credential was revoked.',
      })
    })

    test('a token of an expired grant is revoked', async () => {
      const grants = createPayloadAdapter(storage.db)('Grant')
      const check = createGrantCheck(storage.db, startedAt)
      await grants.upsert('grant-2', { jti: 'grant-2' }, 0.001)
      await new Promise((resolve) => setTimeout(resolve, 10))

      await assert.rejects(check({ grant_id: 'grant-2' }), {
        code: 'token_revoked',
        message: 'The credential was revoked.',
      })
    })

    test('a token without a grant passes only if issued before this server started', async () => {
      const check = createGrantCheck(storage.db, startedAt)

      await check({ iat: startedAt - 60 })
      for (const claims of [{ iat: startedAt + 1 }, {}]) {
        await assert.rejects(check(claims), {
          code: 'token_invalid',
          message: 'The credential is not valid.',
        })
      }
    })
  })
}
