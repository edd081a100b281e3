// The built-in workspace's secrets: its signing key set, the keys that sign
// its cookies, and the web client's secret. They are made on first start and
// kept in settings, so a restart keeps sessions, cookies and tokens valid.

import { exportJWK, generateKeyPair, type JWK } from 'jose'
import type { Kysely } from 'kysely'
import { newId, newSecret } from '../core/ids.ts'
import type { Database } from '../storage/schema.ts'
import { getSetting, putSetting } from '../storage/settings-store.ts'

export const signingAlg = 'RS256'

export interface ProviderSecrets {
  /** Private signing keys, as oidc-provider's `jwks` option takes them. */
  jwks: { keys: JWK[] }
  cookieKeys: string[]
  webClientSecret: string
}

const keys = {
  jwks: 'identity.jwks',
  cookieKeys: 'identity.cookie_keys',
  webClientSecret: 'identity.web_client_secret',
} as const

export async function loadProviderSecrets(
  db: Kysely<Database>,
  workspaceId: string,
): Promise<ProviderSecrets> {
  const remembered = async (
    key: string,
    make: () => Promise<string>,
  ): Promise<string> => {
    const stored = await getSetting(db, workspaceId, key)
    if (stored !== undefined) return stored

    const made = await make()
    await putSetting(db, workspaceId, key, made)
    return made
  }

  const jwks = await remembered(keys.jwks, makeSigningKeys)
  const cookieKeys = await remembered(keys.cookieKeys, async () =>
    JSON.stringify([newSecret()]),
  )
  const webClientSecret = await remembered(keys.webClientSecret, async () =>
    newSecret(),
  )

  return {
    jwks: JSON.parse(jwks) as { keys: JWK[] },
    cookieKeys: JSON.parse(cookieKeys) as string[],
    webClientSecret,
  }
}

/** The public half of the signing keys, for verifying locally. */
export function publicKeys(jwks: { keys: JWK[] }): { keys: JWK[] } {
  return {
    keys: jwks.keys.map(({ kty, n, e, kid, alg, use }) => ({
      kty,
      n,
      e,
      kid,
      alg,
      use,
    })),
  }
}

async function makeSigningKeys(): Promise<string> {
  const { privateKey } = await generateKeyPair(signingAlg, {
    extractable: true,
    modulusLength: 2048,
  })
  const jwk = await exportJWK(privateKey)
  const key = { ...jwk, kid: newId('key'), alg: signingAlg, use: 'sig' }
  return JSON.stringify({ keys: [key] })
}
