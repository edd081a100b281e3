// Identity settings for `omni server`: which workspace issuer to trust (the
// built-in one unless told otherwise), the trusted reverse proxy, and extra
// clients of the built-in provider. They come from the config file's
// `workspace`, `proxy` and `builtin` sections and from OMNI_OIDC_* and
// OMNI_PROXY_* variables (which win). Every bad or unknown setting fails at
// start-up, naming it; secrets come only from files or the environment.

import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { defaultAdminGroup, type ClaimRules } from './identity-claims.ts'
import { parseAddressList } from './proxy-addresses.ts'

export interface ExternalIssuer {
  issuer: string
  clientId: string
  clientSecret: string
  scopes: string[]
  apiAudience: string
  cliClientId: string
  claims: ClaimRules
}

export interface ProxySettings {
  /** CIDR ranges or single addresses the proxy connects from. */
  trustedAddresses: string[]
  sharedSecret: string | undefined
  secretHeader: string
  subjectHeader: string
  emailHeader: string
  preferredUsernameHeader: string
  groupsHeader: string
  adminGroup: string
  /** Who vouches for these people: users are keyed by (issuer, subject). */
  issuer: string
}

export interface StaticClient {
  clientId: string
  clientSecret: string
  redirectUris: string[]
  /** Access tokens without the API resource, which the provider makes
   * opaque; for deployments (and tests) whose clients are checked at
   * userinfo. */
  opaqueAccessTokens: boolean
}

export interface IdentityConfig {
  /** Absent: the built-in workspace at `${publicUrl}/oidc`. */
  external: ExternalIssuer | undefined
  proxy: ProxySettings | undefined
  builtinClients: StaticClient[]
}

export const builtinIdentity: IdentityConfig = Object.freeze({
  external: undefined,
  proxy: undefined,
  builtinClients: [],
})

const name = z.string().trim().min(1)
const header = z
  .string()
  .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
  .transform((value) => value.toLowerCase())

const workspaceSection = z.strictObject({
  issuer: z.url({ protocol: /^https?$/ }),
  clientId: name,
  clientSecretFile: name.optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).min(1),
  emailClaim: name.optional(),
  trustEmailClaim: z.boolean().optional(),
  groupsClaim: name.optional(),
  adminGroup: name.optional(),
  apiAudience: name.optional(),
  cliClientId: name,
})

const proxySection = z.strictObject({
  trustedAddresses: z.array(name).optional(),
  sharedSecretFile: name.optional(),
  secretHeader: header.optional(),
  subjectHeader: header.optional(),
  emailHeader: header.optional(),
  preferredUsernameHeader: header.optional(),
  groupsHeader: header.optional(),
  adminGroup: name.optional(),
  issuer: name.optional(),
})

const builtinSection = z.strictObject({
  clients: z.array(
    z.strictObject({
      clientId: name,
      clientSecretFile: name,
      redirectUris: z.array(z.url({ protocol: /^https?$/ })).min(1),
      opaqueAccessTokens: z.boolean().optional(),
    }),
  ),
})

/** The config file's identity sections, for the server's file schema. */
export const identitySections = {
  workspace: workspaceSection.optional(),
  proxy: proxySection.optional(),
  builtin: builtinSection.optional(),
}

// Each variable and the setting it fills. Any other OMNI_OIDC_* or
// OMNI_PROXY_* variable is a mistake worth stopping for.
const variables = {
  OMNI_OIDC_ISSUER: ['workspace', 'issuer', 'text'],
  OMNI_OIDC_CLIENT_ID: ['workspace', 'clientId', 'text'],
  OMNI_OIDC_CLIENT_SECRET_FILE: ['workspace', 'clientSecretFile', 'text'],
  OMNI_OIDC_SCOPES: ['workspace', 'scopes', 'words'],
  OMNI_OIDC_EMAIL_CLAIM: ['workspace', 'emailClaim', 'text'],
  OMNI_OIDC_TRUST_EMAIL_CLAIM: ['workspace', 'trustEmailClaim', 'flag'],
  OMNI_OIDC_GROUPS_CLAIM: ['workspace', 'groupsClaim', 'text'],
  OMNI_OIDC_ADMIN_GROUP: ['workspace', 'adminGroup', 'text'],
  OMNI_OIDC_API_AUDIENCE: ['workspace', 'apiAudience', 'text'],
  OMNI_OIDC_CLI_CLIENT_ID: ['workspace', 'cliClientId', 'text'],
  OMNI_PROXY_TRUSTED_ADDRESSES: ['proxy', 'trustedAddresses', 'list'],
  OMNI_PROXY_SECRET_FILE: ['proxy', 'sharedSecretFile', 'text'],
  OMNI_PROXY_SECRET_HEADER: ['proxy', 'secretHeader', 'text'],
  OMNI_PROXY_SUBJECT_HEADER: ['proxy', 'subjectHeader', 'text'],
  OMNI_PROXY_ADMIN_GROUP: ['proxy', 'adminGroup', 'text'],
  OMNI_PROXY_ISSUER: ['proxy', 'issuer', 'text'],
} as const

const secretVariables = {
  OMNI_OIDC_CLIENT_SECRET: 'workspace',
  OMNI_PROXY_SECRET: 'proxy',
} as const

type Env = Record<string, string | undefined>
type Sections = {
  workspace?: z.input<typeof workspaceSection>
  proxy?: z.input<typeof proxySection>
  builtin?: z.input<typeof builtinSection>
}

/** A start-up failure that names the setting at fault. */
export class SettingError extends Error {
  constructor(setting: string, problem: string) {
    super(`Invalid setting ${setting}: ${problem}`)
    this.name = 'SettingError'
  }
}

export function resolveIdentityConfig(input: {
  /** The file's identity sections, as read (checked here). */
  file: unknown
  env: Env
  publicUrl: string
}): IdentityConfig {
  const merged = withEnvironment(input.file, input.env)
  const parsed = z.strictObject(identitySections).safeParse(merged)
  if (!parsed.success) throw settingError(parsed.error)

  const { workspace, proxy, builtin } = parsed.data
  const external =
    workspace && externalIssuer(workspace, input.env, input.publicUrl)
  if (external && builtin) {
    throw new SettingError(
      'builtin',
      'extra built-in clients need the built-in workspace, but workspace.issuer names an external one',
    )
  }

  return Object.freeze({
    external,
    proxy: proxy && proxySettings(proxy, input.env, input.publicUrl, external),
    builtinClients: (builtin?.clients ?? []).map((client) => ({
      clientId: client.clientId,
      clientSecret: readSecret(
        client.clientSecretFile,
        `builtin.clients[${client.clientId}].clientSecretFile`,
      ),
      redirectUris: client.redirectUris,
      opaqueAccessTokens: client.opaqueAccessTokens ?? false,
    })),
  })
}

function withEnvironment(file: unknown, env: Env): Sections {
  if (file !== undefined && (typeof file !== 'object' || file === null)) {
    throw new SettingError('config file', 'must hold a JSON object')
  }
  const sections = structuredClone((file ?? {}) as Record<string, any>)
  if (sections.workspace?.clientSecret !== undefined) {
    throw new SettingError(
      'workspace.clientSecret',
      'secrets are not read from the config file; use workspace.clientSecretFile or OMNI_OIDC_CLIENT_SECRET',
    )
  }

  for (const key of Object.keys(env)) {
    if (!/^OMNI_(OIDC|PROXY)_/.test(key) || env[key] === undefined) continue
    if (key in secretVariables) continue
    const target = variables[key as keyof typeof variables]
    if (target === undefined) throw new SettingError(key, 'unknown setting')

    const [section, setting, kind] = target
    sections[section] ??= {}
    sections[section][setting] = fromVariable(key, env[key] ?? '', kind)
  }
  return sections as Sections
}

function fromVariable(
  key: string,
  value: string,
  kind: 'text' | 'words' | 'list' | 'flag',
): unknown {
  if (kind === 'words') return value.split(/\s+/).filter(Boolean)
  if (kind === 'list') return value.split(',').map((item) => item.trim())
  if (kind === 'text') return value
  if (value === 'true') return true
  if (value === 'false') return false
  throw new SettingError(key, 'must be true or false')
}

function externalIssuer(
  workspace: z.output<typeof workspaceSection>,
  env: Env,
  publicUrl: string,
): ExternalIssuer {
  // Kept exactly as given: it must equal the tokens' `iss` (Auth0's ends
  // in a slash, most do not).
  const issuer = workspace.issuer
  if (!isSecureOrLoopback(issuer)) {
    throw new SettingError(
      'workspace.issuer',
      'must use https (plain http only for a loopback issuer)',
    )
  }

  const emailClaim = workspace.emailClaim ?? 'email'
  const trusted = workspace.trustEmailClaim ?? false
  if (emailClaim === 'email' && trusted) {
    throw new SettingError(
      'workspace.trustEmailClaim',
      '"email" is always checked against email_verified; name another claim in workspace.emailClaim to trust it instead',
    )
  }
  if (emailClaim !== 'email' && !trusted) {
    throw new SettingError(
      'workspace.emailClaim',
      `"${emailClaim}" has no email_verified beside it; set workspace.trustEmailClaim to true if the issuer guarantees it`,
    )
  }

  return {
    issuer,
    clientId: workspace.clientId,
    clientSecret: secretFrom(
      env.OMNI_OIDC_CLIENT_SECRET,
      workspace.clientSecretFile,
      'workspace.clientSecretFile (or OMNI_OIDC_CLIENT_SECRET)',
    ),
    scopes: workspace.scopes,
    apiAudience: workspace.apiAudience ?? `${publicUrl}/api`,
    cliClientId: workspace.cliClientId,
    claims: Object.freeze({
      emailClaim,
      emailClaimTrusted: trusted,
      groupsClaim: workspace.groupsClaim ?? 'groups',
      adminGroup: workspace.adminGroup ?? defaultAdminGroup,
    }),
  }
}

function proxySettings(
  proxy: z.output<typeof proxySection>,
  env: Env,
  publicUrl: string,
  external: ExternalIssuer | undefined,
): ProxySettings {
  const trustedAddresses = proxy.trustedAddresses ?? []
  try {
    parseAddressList(trustedAddresses)
  } catch (error) {
    throw new SettingError('proxy.trustedAddresses', (error as Error).message)
  }

  const secretGiven =
    env.OMNI_PROXY_SECRET !== undefined || proxy.sharedSecretFile !== undefined
  const sharedSecret = secretGiven
    ? secretFrom(
        env.OMNI_PROXY_SECRET,
        proxy.sharedSecretFile,
        'proxy.sharedSecretFile (or OMNI_PROXY_SECRET)',
      )
    : undefined
  if (trustedAddresses.length === 0 && sharedSecret === undefined) {
    throw new SettingError(
      'proxy',
      'name the proxy in proxy.trustedAddresses or give proxy.sharedSecretFile (or OMNI_PROXY_SECRET); otherwise anyone could send identity headers',
    )
  }
  if (sharedSecret !== undefined && sharedSecret.length < 16) {
    throw new SettingError(
      'proxy.sharedSecretFile (or OMNI_PROXY_SECRET)',
      'must be at least 16 characters',
    )
  }

  return Object.freeze({
    trustedAddresses,
    sharedSecret,
    secretHeader: proxy.secretHeader ?? 'x-omni-proxy-secret',
    subjectHeader: proxy.subjectHeader ?? 'x-forwarded-user',
    emailHeader: proxy.emailHeader ?? 'x-forwarded-email',
    preferredUsernameHeader:
      proxy.preferredUsernameHeader ?? 'x-forwarded-preferred-username',
    groupsHeader: proxy.groupsHeader ?? 'x-forwarded-groups',
    adminGroup: proxy.adminGroup ?? defaultAdminGroup,
    issuer: proxy.issuer ?? external?.issuer ?? `${publicUrl}/proxy`,
  })
}

function secretFrom(
  fromEnv: string | undefined,
  file: string | undefined,
  setting: string,
): string {
  if (fromEnv !== undefined && file !== undefined) {
    throw new SettingError(setting, 'give the file or the variable, not both')
  }
  if (fromEnv !== undefined) {
    if (fromEnv.trim() === '') throw new SettingError(setting, 'is empty')
    return fromEnv.trim()
  }
  if (file === undefined) throw new SettingError(setting, 'is required')
  return readSecret(file, setting)
}

/** The file's content, trimmed; the error names the file, never what is
 * in it. */
function readSecret(path: string, setting: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8').trim()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new SettingError(setting, `cannot read ${path} (${code})`)
  }
  if (text === '') throw new SettingError(setting, `${path} is empty`)
  return text
}

function isSecureOrLoopback(value: string): boolean {
  const url = new URL(value)
  if (url.protocol === 'https:') return true
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
}

function settingError(error: z.ZodError): SettingError {
  const issue = error.issues[0]
  const path = issue?.path.join('.') ?? ''
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? ''
    return new SettingError(path ? `${path}.${key}` : key, 'unknown setting')
  }
  return new SettingError(path || 'identity', issue?.message ?? 'is not valid')
}

/** The configuration as it may be logged: every secret replaced. */
export function redactedIdentityConfig(
  config: IdentityConfig,
): Record<string, unknown> {
  const hidden = '[redacted]'
  return {
    external: config.external && {
      ...config.external,
      clientSecret: hidden,
    },
    proxy: config.proxy && {
      ...config.proxy,
      sharedSecret: config.proxy.sharedSecret && hidden,
    },
    builtinClients: config.builtinClients.map((client) => ({
      ...client,
      clientSecret: hidden,
    })),
  }
}
