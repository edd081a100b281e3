// This machine's host id and name, kept in `${omniHome}/host.json` so the
// host keeps its id (and so its sessions) across restarts.

import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'

import { newId } from '../core/ids.ts'

/** What the server accepts as a host name (the x-omni-host-name header in
 * src/server/ws/host-tunnel-endpoint.ts): printable ASCII, no spaces. */
const hostNamePattern = /^[\x21-\x7e]{1,100}$/

export const hostNameRule =
  'A host name is 1 to 100 printable ASCII characters without spaces, ' +
  'such as "laptop" or "build-box-2".'

export function isValidHostName(name: string): boolean {
  return hostNamePattern.test(name)
}

export interface HostIdentity {
  id: string
  name: string
}

export async function loadOrCreateHostIdentity(
  omniHome: string,
  name?: string,
): Promise<HostIdentity> {
  await mkdir(omniHome, { recursive: true, mode: 0o700 })
  await chmod(omniHome, 0o700)

  const file = join(omniHome, 'host.json')
  const stored = await readIdentity(file)
  const wanted = name?.trim()

  if (stored && (!wanted || wanted === stored.name)) return stored

  const identity = {
    id: stored?.id ?? newId('h'),
    name: wanted || stored?.name || hostname(),
  }
  await writeIdentity(file, identity)
  return identity
}

async function readIdentity(file: string): Promise<HostIdentity | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }

  const parsed = parseJson(text)
  if (typeof parsed?.id !== 'string' || typeof parsed?.name !== 'string') {
    throw new Error(
      `${file} is not a valid host identity; fix it or remove it to register this machine as a new host.`,
    )
  }
  return { id: parsed.id, name: parsed.name }
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

/** Write then rename, so a crash never leaves a half-written file. */
async function writeIdentity(file: string, identity: HostIdentity) {
  const temp = `${file}.${process.pid}.tmp`
  await writeFile(temp, `${JSON.stringify(identity, null, 2)}\n`, {
    mode: 0o600,
  })
  await chmod(temp, 0o600)
  await rename(temp, file)
}
