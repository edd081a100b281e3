import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Storage } from '../storage/database.ts'
import { storageBackends } from '../storage/test-backends.ts'
import {
  addDirectoryUser,
  isDirectoryEmpty,
  verifyDirectoryPassword,
} from './directory.ts'

const ws = 'ws_dir'

for (const backend of storageBackends()) {
  describe(`directory on ${backend.name}`, () => {
    let storage: Storage
    before(async () => {
      storage = await backend.open()
    })
    after(async () => {
      await storage.close()
    })

    test('a new workspace has an empty directory', async () => {
      assert.equal(await isDirectoryEmpty(storage.db, 'ws_fresh'), true)
    })

    test('an added user signs in with their password, email in any case', async () => {
      const added = await addDirectoryUser(storage.db, ws, {
        email: '  Ada@Example.COM ',
        password: 'analytical engine',
        admin: true,
      })

      assert.equal(added.email, 'ada@example.com')
      assert.equal(added.is_admin, 1)
      assert.equal(await isDirectoryEmpty(storage.db, ws), false)

      const found = await verifyDirectoryPassword(
        storage.db,
        ws,
        'ADA@example.com',
        'analytical engine',
      )
      assert.equal(found?.id, added.id)
      assert.equal('password_hash' in (found ?? {}), false)
    })

    test('a wrong password or unknown email finds nobody', async () => {
      await addDirectoryUser(storage.db, ws, {
        email: 'grace@example.com',
        password: 'compiler first',
        admin: false,
      })

      const wrong = await verifyDirectoryPassword(
        storage.db,
        ws,
        'grace@example.com',
        'compiler second',
      )
      const unknown = await verifyDirectoryPassword(
        storage.db,
        ws,
        'nobody@example.com',
        'compiler first',
      )
      assert.equal(wrong, undefined)
      assert.equal(unknown, undefined)
    })

    test('an email already in the directory is a conflict', async () => {
      await addDirectoryUser(storage.db, ws, {
        email: 'linus@example.com',
        password: 'first password',
        admin: false,
      })

      await assert.rejects(
        addDirectoryUser(storage.db, ws, {
          email: 'LINUS@example.com',
          password: 'second password',
          admin: false,
        }),
        {
          code: 'conflict',
          message: 'linus@example.com is already in the directory.',
        },
      )
    })

    test('takes and refuses the same emails a share does', async () => {
      const add = (email: string) =>
        addDirectoryUser(storage.db, ws, {
          email,
          password: 'long enough',
          admin: false,
        })
      const invalid = {
        code: 'invalid_input',
        message: 'Enter a valid email address.',
      }

      await assert.rejects(add(`${'a'.repeat(250)}@example.com`), {
        code: 'invalid_input',
        message: 'An email address must be at most 254 characters.',
      })
      for (const email of [
        `${'a'.repeat(65)}@example.com`,
        'ana@localhost',
        'ana@exa mple.com',
        'ana@-example.com',
        'a"na@example.com',
      ]) {
        await assert.rejects(add(email), invalid, email)
      }

      const international = await add(' Böb@Exämple.com ')
      assert.equal(international.email, 'böb@exämple.com')
    })

    test('a malformed email or short password is refused', async () => {
      await assert.rejects(
        addDirectoryUser(storage.db, ws, {
          email: 'not-an-email',
          password: 'long enough',
          admin: false,
        }),
        { code: 'invalid_input', message: 'Enter a valid email address.' },
      )
      await assert.rejects(
        addDirectoryUser(storage.db, ws, {
          email: 'short@example.com',
          password: 'seven77',
          admin: false,
        }),
        {
          code: 'invalid_input',
          message: 'The password must be at least 8 characters.',
        },
      )
      const nobody = await verifyDirectoryPassword(
        storage.db,
        ws,
        'short@example.com',
        'seven77',
      )
      assert.equal(nobody, undefined)
    })
  })
}
