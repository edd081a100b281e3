// Migration 003: the built-in provider's rows were keyed by the token value
// itself (refresh tokens, codes, session ids). They are now keyed by its
// SHA-256, with the value left out of the payload, so a copy of the database
// holds nothing anyone can present. Existing rows are re-keyed in place, so
// nobody has to sign in again.

import type { Kysely } from 'kysely'
import { oidcPayloadKey } from './oidc-payload-key.ts'

export async function hashedOidcKeys(db: Kysely<any>): Promise<void> {
  const rows = (await db
    .selectFrom('oidc_payloads')
    .select(['model', 'id', 'payload'])
    .execute()) as Array<{ model: string; id: string; payload: string }>

  for (const row of rows) {
    const { jti: _, ...kept } = JSON.parse(row.payload) as Record<
      string,
      unknown
    >
    await db
      .updateTable('oidc_payloads')
      .set({ id: oidcPayloadKey(row.id), payload: JSON.stringify(kept) })
      .where('model', '=', row.model)
      .where('id', '=', row.id)
      .execute()
  }
}
