// credentials.json: the tokens of every signed-in profile. The file is
// private (0600) inside a private directory (0700), and every write goes to
// a private temporary file that is then renamed over the old one, so a crash
// or a concurrent reader never sees half a file.

import { randomBytes } from 'node:crypto'
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { CliError, exitCodes, usageError } from './cli-error.ts'
import { ensureOmniHome, homePath } from './omni-home.ts'
import { canonicalWorkspaceUrl } from './workspace-url.ts'

export interface ProfileRecord {
  workspaceUrl: string
  issuer: string
  clientId: string
  accessToken: string
  refreshToken?: string
  /** Epoch seconds; absent when the issuer did not say. */
  expiresAt?: number
  email: string
  /** A personal access token saved by `omni login --token-stdin`: no
   * refresh; when it lapses, a new one is needed. */
  kind?: 'personal-token'
}

interface CredentialsFile {
  version: 1
  profiles: Record<string, ProfileRecord>
}

export const defaultProfileName = 'default'

export function checkProfileName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw usageError(
      `"${name}" is not a profile name; use letters, digits, dot, dash or underscore.`,
    )
  }
  return name
}

export function readProfiles(home: string): Record<string, ProfileRecord> {
  const path = homePath(home, 'credentials')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw error
  }

  try {
    const parsed = JSON.parse(text) as Partial<CredentialsFile>
    return { ...(parsed.profiles ?? {}) }
  } catch {
    throw new CliError(`${path} is not valid JSON; fix or remove it.`)
  }
}

/** The named profile, its workspace URL in canonical form whatever an
 * older version or a hand edit left in the file. */
export function findProfile(
  home: string,
  name: string,
): ProfileRecord | undefined {
  const record = readProfiles(home)[name]
  if (!record) return undefined
  return { ...record, workspaceUrl: canonicalWorkspaceUrl(record.workspaceUrl) }
}

/** The named profile, or a "sign in first" error (exit 3). */
export function loadProfile(home: string, name: string): ProfileRecord {
  const profile = findProfile(home, checkProfileName(name))
  if (profile) return profile

  const flag = name === defaultProfileName ? '' : ` --profile ${name}`
  throw new CliError(
    `Not signed in (no profile "${name}"). Run: omni login <workspace-url>${flag}`,
    exitCodes.auth,
  )
}

export function saveProfile(
  home: string,
  name: string,
  record: ProfileRecord,
): void {
  const profiles = readProfiles(home)
  profiles[checkProfileName(name)] = {
    ...record,
    workspaceUrl: canonicalWorkspaceUrl(record.workspaceUrl),
  }
  writeProfiles(home, profiles)
}

/** Removes the profile; false when there was none. */
export function deleteProfile(home: string, name: string): boolean {
  const profiles = readProfiles(home)
  if (!(name in profiles)) return false

  delete profiles[name]
  writeProfiles(home, profiles)
  return true
}

function writeProfiles(
  home: string,
  profiles: Record<string, ProfileRecord>,
): void {
  ensureOmniHome(home)
  const path = homePath(home, 'credentials')
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const body: CredentialsFile = { version: 1, profiles }

  // 'wx' refuses to follow or reuse an existing file at the temporary name.
  const fd = openSync(temp, 'wx', 0o600)
  try {
    writeSync(fd, `${JSON.stringify(body, null, 2)}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }

  try {
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}
