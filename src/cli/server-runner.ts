// Starts the server in this process for `omni server` and
// `omni start --foreground`, turning start-up failures into one clear line.

import { join } from 'node:path'
import { CliError, usageError } from './cli-error.ts'
import { ensureOmniHome } from './omni-home.ts'

export interface ServerFlags {
  port: string
  dataDir?: string
  databaseUrl?: string
  publicUrl?: string
  config?: string
  /** Append the server's JSON log here instead of writing it to stdout. */
  logFile?: string
}

export const defaultPort = 6767

export function parsePort(text: string): number {
  const port = Number(text)
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw usageError(`--port must be a number from 1 to 65535, not "${text}".`)
  }
  return port
}

export async function startServer(home: string, flags: ServerFlags) {
  const port = parsePort(flags.port)
  if (flags.dataDir !== undefined && flags.dataDir.trim() === '') {
    throw usageError('--data-dir must name a folder.')
  }
  const dataDir = flags.dataDir ?? join(ensureOmniHome(home), 'server')
  const databaseUrl = flags.databaseUrl ?? process.env.OMNI_DATABASE_URL

  const { runServer } = await import('../server/run-server.ts')
  const { createLogger } = await import('../core/log.ts')
  try {
    return await runServer({
      ...(flags.logFile
        ? { log: createLogger('omni-server', { file: flags.logFile }) }
        : {}),
      port,
      dataDir,
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(flags.publicUrl ? { publicUrl: flags.publicUrl } : {}),
      ...(flags.config ? { configFile: flags.config } : {}),
    })
  } catch (error) {
    throw startFailure(error, port)
  }
}

function startFailure(error: unknown, port: number): CliError {
  const { code, syscall, path } = error as NodeJS.ErrnoException
  if (syscall === 'listen' && code === 'EADDRINUSE') {
    return new CliError(
      `Port ${port} is already in use; pick another with --port.`,
    )
  }
  if (syscall === 'listen' && code === 'EACCES') {
    return new CliError(`Not allowed to listen on port ${port}.`)
  }
  // The data folder (or the SQLite file in it) could not be made or used.
  if (path !== undefined) {
    return new CliError(
      `Cannot use ${path} for the server's data: ${why(code)}.`,
    )
  }
  // runServer names the bad option in its message; it never holds the
  // database password (server-config redacts it).
  return new CliError(`The server did not start: ${(error as Error).message}`)
}

function why(code: string | undefined): string {
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return 'it is not a folder'
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'not allowed to write there'
    case 'ENOSPC':
      return 'the disk is full'
    default:
      return code ?? 'unknown error'
  }
}
