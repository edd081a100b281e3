// Persists every oidc-provider model (sessions, interactions, grants, codes,
// refresh tokens, device codes) in the `oidc_payloads` table, so a restart
// keeps people signed in and their tokens valid. The adapter contract is
// oidc-provider's: payloads are opaque JSON, `expiresIn` is in seconds, and
// an expired row is as good as gone.
//
// No token value is stored. oidc-provider names a row by the token itself
// (its `jti`), so rows are keyed by the id's SHA-256 (oidc-payload-key.ts),
// the payload is stored without its `jti`, and a lookup by id puts back the
// id it was given.

import type { Kysely } from 'kysely'
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider'
import { now } from '../core/time.ts'
import { oidcPayloadKey } from '../storage/oidc-payload-key.ts'
import type { Database } from '../storage/schema.ts'

// Expired rows are never returned; sweeping them every so many writes keeps
// the table from growing without a separate timer.
const sweepEvery = 200

// A payload found by uid or user code (a session, a device code being
// approved) comes back with a jti that names its row, since the real one is
// not stored; oidc-provider saves it again under that jti. Writes take such
// a reference as the row's key. A lookup takes it only for a payload not yet
// bound to an account, so a key read from a copy of the database never
// redeems anything: an approved device code is found by its value alone.
// Token values are nanoids, which never contain the colon.
const rowReference = 'row:'

type Column = 'id' | 'uid' | 'user_code'

export function createPayloadAdapter(db: Kysely<Database>): AdapterFactory {
  let writes = 0

  async function sweep(): Promise<void> {
    writes += 1
    if (writes % sweepEvery !== 0) return
    await db
      .deleteFrom('oidc_payloads')
      .where('expires_at', '<', now())
      .execute()
  }

  return function adapterFor(model: string): Adapter {
    async function find(
      column: Column,
      value: string,
    ): Promise<AdapterPayload | undefined> {
      const row = await db
        .selectFrom('oidc_payloads')
        .select(['id', 'payload', 'expires_at', 'consumed_at'])
        .where('model', '=', model)
        .where(column, '=', column === 'id' ? rowKey(value) : value)
        .executeTakeFirst()
      if (row === undefined) return undefined
      if (row.expires_at !== null && row.expires_at <= now()) return undefined

      const stored = JSON.parse(row.payload) as AdapterPayload
      const byReference = column === 'id' && value.startsWith(rowReference)
      if (byReference && stored.accountId !== undefined) return undefined

      const jti = column === 'id' ? value : `${rowReference}${row.id}`
      const payload = { ...stored, jti }
      if (row.consumed_at === null) return payload
      return { ...payload, consumed: toEpoch(row.consumed_at) }
    }

    return {
      async upsert(id, payload, expiresIn) {
        const { jti: _, ...kept } = payload
        const row = {
          payload: JSON.stringify(kept),
          grant_id: payload.grantId ?? null,
          user_code: payload.userCode ?? null,
          uid: payload.uid ?? null,
          expires_at: expiresIn ? expiryFrom(expiresIn) : null,
        }
        await db
          .insertInto('oidc_payloads')
          .values({ model, id: rowKey(id), consumed_at: null, ...row })
          .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
          .execute()
        await sweep()
      },

      find: (id) => find('id', id),
      findByUid: (uid) => find('uid', uid),
      findByUserCode: (userCode) => find('user_code', userCode),

      async consume(id) {
        await db
          .updateTable('oidc_payloads')
          .set({ consumed_at: now() })
          .where('model', '=', model)
          .where('id', '=', rowKey(id))
          .execute()
      },

      async destroy(id) {
        await db
          .deleteFrom('oidc_payloads')
          .where('model', '=', model)
          .where('id', '=', rowKey(id))
          .execute()
      },

      async revokeByGrantId(grantId) {
        await db
          .deleteFrom('oidc_payloads')
          .where('model', '=', model)
          .where('grant_id', '=', grantId)
          .execute()
      },
    }
  }
}

function rowKey(id: string): string {
  if (id.startsWith(rowReference)) return id.slice(rowReference.length)
  return oidcPayloadKey(id)
}

function expiryFrom(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString()
}

function toEpoch(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000)
}
