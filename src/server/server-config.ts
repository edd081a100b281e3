// `omni server` options, checked once at start-up. A bad option fails here,
// naming the option, before anything listens.

import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import {
  identitySections,
  redactedIdentityConfig,
  resolveIdentityConfig,
  type IdentityConfig,
} from '../identity/index.ts'

export interface ServerOptions {
  port: number
  dataDir: string
  databaseUrl?: string
  publicUrl?: string
  /** Address to bind; loopback unless told otherwise. */
  host?: string
  /** Where the built web app lives; defaults to the repository's dist/web. */
  webDir?: string
  /** A JSON file (`--config`): `publicUrl`, `host` and the identity
   * sections `workspace`, `proxy` and `builtin`. */
  configFile?: string
  /** Where OMNI_OIDC_* and OMNI_PROXY_* come from; process.env if absent. */
  env?: Record<string, string | undefined>
}

export interface ServerConfig {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly database:
    { readonly sqlitePath: string } | { readonly databaseUrl: string }
  readonly publicUrl: string
  readonly workspaceId: string
  readonly webDir: string
  readonly identity: IdentityConfig
}

// Unknown settings are errors, so a typo never silently leaves the
// built-in workspace in charge.
const fileSchema = z.strictObject({
  publicUrl: z.string().optional(),
  host: z.string().optional(),
  ...identitySections,
})

const repoRoot = resolve(import.meta.dirname, '..', '..')

export function resolveServerConfig(options: ServerOptions): ServerConfig {
  const { port } = options
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, not ${String(port)}`)
  }

  const file = readConfigFile(options.configFile)
  const host = options.host ?? file.host ?? '127.0.0.1'
  const publicUrl = normalisePublicUrl(
    options.publicUrl ?? file.publicUrl ?? `http://127.0.0.1:${port}`,
  )
  const { publicUrl: _url, host: _host, ...sections } = file
  const identity = resolveIdentityConfig({
    file: sections,
    env: options.env ?? process.env,
    publicUrl,
  })
  const dataDir = resolve(options.dataDir)
  const database = options.databaseUrl
    ? { databaseUrl: options.databaseUrl }
    : { sqlitePath: resolve(dataDir, 'omnigent.db') }

  return Object.freeze({
    port,
    host,
    dataDir,
    database: Object.freeze(database),
    publicUrl,
    workspaceId: 'default',
    webDir: options.webDir ?? resolve(repoRoot, 'dist', 'web'),
    identity,
  })
}

function readConfigFile(path: string | undefined): z.infer<typeof fileSchema> {
  if (path === undefined) return {}

  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const problem = code ? `cannot be read (${code})` : 'is not valid JSON'
    throw new Error(`--config ${path} ${problem}`)
  }

  const parsed = fileSchema.safeParse(json)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const where = issue?.path.join('.') ?? ''
  if (issue?.code === 'unrecognized_keys') {
    const key = [where, issue.keys[0]].filter(Boolean).join('.')
    throw new Error(`Invalid setting ${key}: unknown setting`)
  }
  throw new Error(`Invalid setting ${where || 'config'}: ${issue?.message}`)
}

function normalisePublicUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`--public-url must be an absolute URL, not ${value}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error('--public-url must start with http:// or https://')
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new Error('--public-url must not have a path, query or fragment')
  }
  return url.origin
}

/** The configuration as it may be logged: the database URL can hold a
 * password, so only its scheme and host are shown. */
export function redactedConfig(config: ServerConfig): Record<string, unknown> {
  const database =
    'sqlitePath' in config.database
      ? { sqlitePath: config.database.sqlitePath }
      : { databaseUrl: redactUrl(config.database.databaseUrl) }
  return {
    ...config,
    database,
    identity: redactedIdentityConfig(config.identity),
  }
}

function redactUrl(value: string): string {
  try {
    const url = new URL(value)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return '[unparseable]'
  }
}
