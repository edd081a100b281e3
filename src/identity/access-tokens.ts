// Personal access tokens: long-lived bearer credentials a person makes for
// scripts, hosts and MCP clients. The secret (`omni_pat_` and 43 random
// characters) is shown once; the server keeps its SHA-256 only, and checks
// the row on every use, so a revoked or expired token fails at once.

import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { OmniError } from '../core/errors.ts'
import { newSecret } from '../core/ids.ts'
import { isoAfter, now } from '../core/time.ts'
import type { CreatedToken, TokenSummary } from '../protocol/api.ts'
import {
  createAccessToken,
  findAccessTokenByHash,
  listLiveAccessTokens,
  revokeAccessToken,
  touchAccessToken,
  type AccessTokenRow,
} from '../storage/access-token-store.ts'
import type { Database } from '../storage/schema.ts'
import { getUserById, type UserRow } from '../storage/user-store.ts'

export const tokenPrefix = 'omni_pat_'
export const defaultTokenDays = 30
export const maxTokenDays = 365

const day = 24 * 60 * 60 * 1000
// Last-used times are for people reading the list, so a minute is precise
// enough and spares a write on every request.
const touchEveryMs = 60_000

export function isAccessToken(token: string): boolean {
  return token.startsWith(tokenPrefix)
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

export interface AccessTokens {
  create(
    userId: string,
    request: { name: string; expiresInDays: number },
  ): Promise<CreatedToken>
  list(userId: string): Promise<TokenSummary[]>
  revoke(userId: string, id: string): Promise<void>
  /** The token's owner and the token's id; throws token_invalid,
   * token_revoked or token_expired. */
  check(token: string): Promise<{ user: UserRow; tokenId: string }>
}

export function accessTokens(
  db: Kysely<Database>,
  workspaceId: string,
): AccessTokens {
  const touched = new Map<string, number>()

  async function touch(row: AccessTokenRow): Promise<void> {
    const last = touched.get(row.id) ?? 0
    if (Date.now() - last < touchEveryMs) return
    touched.set(row.id, Date.now())
    await touchAccessToken(db, workspaceId, row.id)
  }

  const api: AccessTokens = {
    async create(userId, { name, expiresInDays }) {
      const token = `${tokenPrefix}${newSecret()}`
      const row = await createAccessToken(db, workspaceId, {
        userId,
        name,
        tokenHash: hashOf(token),
        expiresAt: isoAfter(expiresInDays * day),
      })
      return { id: row.id, name: row.name, token, expiresAt: row.expires_at }
    },

    async list(userId) {
      const rows = await listLiveAccessTokens(db, workspaceId, userId)
      return rows.map((row) => ({
        id: row.id,
        name: row.name,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        lastUsedAt: row.last_used_at,
      }))
    },

    async revoke(userId, id) {
      const revoked = await revokeAccessToken(db, workspaceId, userId, id)
      if (!revoked) {
        throw new OmniError('not_found', 'You have no live token with that id.')
      }
      touched.delete(id)
    },

    async check(token) {
      const row = await findAccessTokenByHash(db, workspaceId, hashOf(token))
      if (row === undefined) throw new OmniError('token_invalid')
      if (row.revoked_at !== null) throw new OmniError('token_revoked')
      if (row.expires_at <= now()) throw new OmniError('token_expired')

      const user = await getUserById(db, workspaceId, row.user_id)
      if (user === undefined) throw new OmniError('token_invalid')
      await touch(row)
      return { user, tokenId: row.id }
    },
  }
  return Object.freeze(api)
}
