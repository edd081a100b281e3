// What a copy of the database gives away: SQLite files only their owner can
// read, and provider rows written before token hashing re-keyed on upgrade.

import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { sql } from 'kysely'
import { openDatabase } from './database.ts'
import { oidcPayloadKey } from './oidc-payload-key.ts'
import { storageBackends } from './test-backends.ts'

async function modeOf(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o777).toString(8)
}

describe('SQLite files at rest', () => {
  test('the database, its WAL and shared memory are readable by the owner only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omni-modes-'))
    const path = join(dir, 'omnigent.db')
    try {
      const storage = await openDatabase({ sqlitePath: path })
      try {
        for (const file of [path, `${path}-wal`, `${path}-shm`]) {
          assert.equal(await modeOf(file), '600', file)
        }
      } finally {
        await storage.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('a database left readable by others is narrowed when opened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omni-modes-'))
    const path = join(dir, 'omnigent.db')
    try {
      await (await openDatabase({ sqlitePath: path })).close()
      await chmod(path, 0o644)

      const storage = await openDatabase({ sqlitePath: path })
      try {
        for (const file of [path, `${path}-wal`, `${path}-shm`]) {
          assert.equal(await modeOf(file), '600', file)
        }
      } finally {
        await storage.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

for (const backend of storageBackends()) {
  describe(`provider rows from before token hashing on ${backend.name}`, () => {
    test('are re-keyed by SHA-256 with the value taken out', async () => {
      const place = await backend.place()
      try {
        const older = await openDatabase(place.options)
        const value = 'refresh-token-written-by-an-older-server'
        await older.db
          .insertInto('oidc_payloads')
          .values({
            model: 'RefreshToken',
            id: value,
            payload: JSON.stringify({ jti: value, grantId: 'g-1' }),
            grant_id: 'g-1',
            user_code: null,
            uid: null,
            expires_at: null,
            consumed_at: null,
          })
          .execute()
        // As if this server had never run the re-keying migration.
        await sql`delete from kysely_migration where name = '003_hashed_oidc_keys'`.execute(
          older.db,
        )
        await older.close()

        const upgraded = await openDatabase(place.options)
        const rows = await upgraded.db
          .selectFrom('oidc_payloads')
          .select(['id', 'payload'])
          .execute()
        await upgraded.close()

        assert.deepEqual(rows, [
          {
            id: oidcPayloadKey(value),
            payload: JSON.stringify({ grantId: 'g-1' }),
          },
        ])
      } finally {
        await place.cleanup()
      }
    })
  })
}
