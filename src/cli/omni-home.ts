// Where the CLI and the host keep their local files: `OMNI_HOME` or
// `~/.omnigent`, private to this user (mode 0700) because it holds tokens.

import { chmodSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export function omniHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.OMNI_HOME
  if (fromEnv) return resolve(fromEnv)
  return join(homedir(), '.omnigent')
}

/** Creates the directory when missing and keeps it private either way. */
export function ensureOmniHome(home: string): string {
  mkdirSync(home, { recursive: true, mode: 0o700 })
  chmodSync(home, 0o700)
  return home
}

export const homeFiles = {
  credentials: 'credentials.json',
  serverLog: 'server.log',
  serverPid: 'server.pid',
  hostLog: 'host.log',
  hostPid: 'host.pid',
} as const

export function homePath(home: string, file: keyof typeof homeFiles): string {
  return join(home, homeFiles[file])
}
