import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
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
      const payload = {
        jti: 'dc-1',
        uid: 'uid-1',
        userCode: 'ABCD-EFGH',
        grantId: 'g-1',
      }
      await adapter.upsert('dc-1', payload, 600)

      assert.deepEqual(await adapter.find('dc-1'), payload)
      const { jti: _, ...rest } = payload
      const byUid = await adapter.findByUid('uid-1')
      assert.deepEqual(byUid, { ...rest, jti: byUid?.jti })
      const byUserCode = await adapter.findByUserCode('ABCD-EFGH')
      assert.deepEqual(byUserCode, { ...rest, jti: byUid?.jti })

      await adapter.destroy('dc-1')
      assert.equal(await adapter.find('dc-1'), undefined)
    })

    test('models keep their own ids apart', async () => {
      const factory = createPayloadAdapter(storage.db)
      const session = { jti: 'same', kind: 'Session' }
      const grant = { jti: 'same', kind: 'Grant' }
      await factory('Session').upsert('same', session, 600)
      await factory('Grant').upsert('same', grant, 600)

      assert.deepEqual(await factory('Session').find('same'), session)
      assert.deepEqual(await factory('Grant').find('same'), grant)
    })

    test('an upsert replaces the payload', async () => {
      const adapter = createPayloadAdapter(storage.db)('Interaction')
      await adapter.upsert('i-1', { jti: 'i-1', step: 1 }, 600)
      await adapter.upsert('i-1', { jti: 'i-1', step: 2 }, 600)

      assert.deepEqual(await adapter.find('i-1'), { jti: 'i-1', step: 2 })
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
      await refresh.upsert('rt-1', { jti: 'rt-1', grantId: 'g-4' }, 600)
      await refresh.upsert('rt-2', { jti: 'rt-2', grantId: 'g-5' }, 600)

      await refresh.revokeByGrantId('g-4')

      assert.equal(await refresh.find('rt-1'), undefined)
      assert.deepEqual(await refresh.find('rt-2'), {
        jti: 'rt-2',
        grantId: 'g-5',
      })
    })

    test('a token is stored under its SHA-256 and its value is in no column', async () => {
      const value = 'refresh-token-value-kept-only-by-the-client'
      const adapter = createPayloadAdapter(storage.db)('RefreshToken')
      await adapter.upsert(value, { jti: value, grantId: 'g-6' }, 600)
      await adapter.consume(value)

      const rows = await sql<Record<string, unknown>>`
        select * from oidc_payloads where model = 'RefreshToken'
      `.execute(storage.db)
      const stored = JSON.stringify(rows.rows)
      assert.ok(stored.includes('g-6'), 'the row is there')
      assert.equal(stored.includes(value), false)

      const found = await adapter.find(value)
      assert.equal(found?.jti, value)
      assert.equal(found?.grantId, 'g-6')
      assert.equal(typeof found?.consumed, 'number')
    })

    test('looking a token up by its stored hash finds nothing', async () => {
      const adapter = createPayloadAdapter(storage.db)('BackchannelRequest')
      await adapter.upsert('code-2', { jti: 'code-2' }, 60)
      const [row] = (
        await sql<{ id: string }>`
          select id from oidc_payloads where model = 'BackchannelRequest'
        `.execute(storage.db)
      ).rows

      assert.ok(row !== undefined)
      assert.equal(await adapter.find(row.id), undefined)
    })

    test('a device code found by user code is saved again under its own row', async () => {
      const adapter = createPayloadAdapter(storage.db)('DeviceCode')
      const code = { jti: 'device-code-value', userCode: 'WXYZ-BCDF' }
      await adapter.upsert(code.jti, code, 600)

      const pending = await adapter.findByUserCode('WXYZ-BCDF')
      assert.ok(pending?.jti !== undefined)
      assert.notEqual(pending.jti, code.jti)
      assert.deepEqual(await adapter.find(pending.jti), pending)

      await adapter.upsert(pending.jti, { ...pending, accountId: 'du_1' }, 600)
      assert.deepEqual(await adapter.find(code.jti), {
        ...code,
        accountId: 'du_1',
      })
      // Once approved, only the value the device holds redeems it.
      assert.equal(await adapter.find(pending.jti), undefined)
    })
  })
}
