// `omni server` options, checked once at start-up. A bad option fails here,
// naming the option, before anything listens.

import { resolve } from 'node:path'

export interface ServerOptions {
  port: number
  dataDir: string
  databaseUrl?: string
  publicUrl?: string
  /** Address to bind; loopback unless told otherwise. */
  host?: string
  /** Where the built web app lives; defaults to the repository's dist/web. */
  webDir?: string
}

export interface ServerConfig {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly database:
    | { readonly sqlitePath: string }
    | { readonly databaseUrl: string }
  readonly publicUrl: string
  readonly workspaceId: string
  readonly webDir: string
}

const repoRoot = resolve(import.meta.dirname, '..', '..')

export function resolveServerConfig(options: ServerOptions): ServerConfig {
  const { port } = options
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, not ${String(port)}`)
  }

  const host = options.host ?? '127.0.0.1'
  const publicUrl = normalisePublicUrl(
    options.publicUrl ?? `http://127.0.0.1:${port}`,
  )
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
  })
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
  return { ...config, database }
}

function redactUrl(value: string): string {
  try {
    const url = new URL(value)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return '[unparseable]'
  }
}
