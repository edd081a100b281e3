// Persists every oidc-provider model (sessions, interactions, grants, codes,
// refresh tokens, device codes) in the `oidc_payloads` table, so a restart
// keeps people signed in and their tokens valid. The adapter contract is
// oidc-provider's: payloads are opaque JSON, `expiresIn` is in seconds, and
// an expired row is as good as gone.

import type { Kysely } from 'kysely'
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider'
import { now } from '../core/time.ts'
import type { Database } from '../storage/schema.ts'

// Expired rows are never returned; sweeping them every so many writes keeps
// the table from growing without a separate timer.
const sweepEvery = 200

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
    const find = async (
      column: 'id' | 'uid' | 'user_code',
      value: string,
    ): Promise<AdapterPayload | undefined> => {
      const row = await db
        .selectFrom('oidc_payloads')
        .select(['payload', 'expires_at', 'consumed_at'])
        .where('model', '=', model)
        .where(column, '=', value)
        .executeTakeFirst()
      if (row === undefined) return undefined
      if (row.expires_at !== null && row.expires_at <= now()) return undefined

      const payload = JSON.parse(row.payload) as AdapterPayload
      if (row.consumed_at === null) return payload
      return { ...payload, consumed: toEpoch(row.consumed_at) }
    }

    return {
      async upsert(id, payload, expiresIn) {
        const row = {
          payload: JSON.stringify(payload),
          grant_id: payload.grantId ?? null,
          user_code: payload.userCode ?? null,
          uid: payload.uid ?? null,
          expires_at: expiresIn ? expiryFrom(expiresIn) : null,
        }
        await db
          .insertInto('oidc_payloads')
          .values({ model, id, consumed_at: null, ...row })
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
          .where('id', '=', id)
          .execute()
      },

      async destroy(id) {
        await db
          .deleteFrom('oidc_payloads')
          .where('model', '=', model)
          .where('id', '=', id)
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

function expiryFrom(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString()
}

function toEpoch(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000)
}
