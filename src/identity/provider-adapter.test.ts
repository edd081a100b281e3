import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Storage } from '../storage/database.ts'
import { storageBackends } from '../storage/test-backends.ts'
import { createPayloadAdapter } from './provider-adapter.ts'

for (const backend of storageBackends()) {
  describe(`oidc-provider payloads on ${backend.name}`, () => {
    let storage: Storage
    before(async () => {
      storage = await backend.open()
    })
    after(async () => {
      await storage.close()
    })

    test('a stored payload is found by id, uid and user code until destroyed', async () => {
      const adapter = createPayloadAdapter(storage.db)('DeviceCode')
      const payload = { uid: 'uid-1', userCode: 'ABCD-EFGH', grantId: 'g-1' }
      await adapter.upsert('dc-1', payload, 600)

      assert.deepEqual(await adapter.find('dc-1'), payload)
      assert.deepEqual(await adapter.findByUid('uid-1'), payload)
      assert.deepEqual(await adapter.findByUserCode('ABCD-EFGH'), payload)

      await adapter.destroy('dc-1')
      assert.equal(await adapter.find('dc-1'), undefined)
    })

    test('models keep their own ids apart', async () => {
      const factory = createPayloadAdapter(storage.db)
      await factory('Session').upsert('same', { kind: 'Session' }, 600)
      await factory('Grant').upsert('same', { kind: 'Grant' }, 600)

      assert.deepEqual(await factory('Session').find('same'), {
        kind: 'Session',
      })
      assert.deepEqual(await factory('Grant').find('same'), { kind: 'Grant' })
    })

    test('an upsert replaces the payload', async () => {
      const adapter = createPayloadAdapter(storage.db)('Interaction')
      await adapter.upsert('i-1', { step: 1 }, 600)
      await adapter.upsert('i-1', { step: 2 }, 600)

      assert.deepEqual(await adapter.find('i-1'), { step: 2 })
    })

    test('a consumed payload says when it was consumed', async () => {
      const adapter = createPayloadAdapter(storage.db)('AuthorizationCode')
      await adapter.upsert('code-1', { grantId: 'g-2' }, 60)
      const before = Math.floor(Date.now() / 1000)
      await adapter.consume('code-1')

      const found = await adapter.find('code-1')
      assert.equal(typeof found?.consumed, 'number')
      assert.ok(Number(found?.consumed) >= before)
    })

    test('an expired payload is not found', async () => {
      const adapter = createPayloadAdapter(storage.db)('AccessToken')
      await adapter.upsert('at-1', { grantId: 'g-3' }, 0.001)
      await new Promise((resolve) => setTimeout(resolve, 10))

      assert.equal(await adapter.find('at-1'), undefined)
    })

    test('revoking a grant removes its tokens of that model', async () => {
      const factory = createPayloadAdapter(storage.db)
      const refresh = factory('RefreshToken')
      await refresh.upsert('rt-1', { grantId: 'g-4' }, 600)
      await refresh.upsert('rt-2', { grantId: 'g-5' }, 600)

      await refresh.revokeByGrantId('g-4')

      assert.equal(await refresh.find('rt-1'), undefined)
      assert.deepEqual(await refresh.find('rt-2'), { grantId: 'g-5' })
    })
  })
}
