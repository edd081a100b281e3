// The Omnigent home (OMNI_HOME, or ~/.omnigent) holds the host owner's
// sign-in: whoever reads credentials.json can act as the owner, admin
// powers included. Someone with Edit on a session drives the agent on the
// owner's host, but must not take the owner's identity with it, so the file
// tools refuse every path that resolves (through symlinks) into that folder.
//
// This is a fence for the file tools only. A command the agent runs is the
// same OS user and can still read the folder; closing that needs a
// host-scoped credential or a separate OS user for the agent.

import { realpath } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, dirname, join, resolve, sep } from 'node:path'

import { ToolError, type ToolContext } from './tool.ts'

export const privateDirMessage =
  "Omnigent's own credentials are not available to the agent."

/** Where Omnigent keeps its own files when the host names none. */
export function omniHomeDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [join(homedir(), '.omnigent')]
  if (env.OMNI_HOME) dirs.push(resolve(env.OMNI_HOME))
  return dirs
}

export function privateDirsOf(context: ToolContext): readonly string[] {
  return context.privateDirs ?? omniHomeDirs()
}

/** Throws the tool error when `path` is, or is inside, a private folder. */
export async function refusePrivate(
  path: string,
  context: ToolContext,
): Promise<void> {
  if (await isPrivate(path, privateDirsOf(context))) {
    throw new ToolError(privateDirMessage)
  }
}

export async function isPrivate(
  path: string,
  privateDirs: readonly string[],
): Promise<boolean> {
  const real = await realOrNearest(path)
  for (const dir of privateDirs) {
    const fence = await realOrNearest(dir)
    if (real === fence || real.startsWith(fence + sep)) return true
  }
  return false
}

/** The real path; for a path that does not exist yet (a file about to be
 * written), the real path of its nearest existing parent plus the rest. */
async function realOrNearest(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch {
    const parent = dirname(path)
    if (parent === path) return path
    return join(await realOrNearest(parent), basename(path))
  }
}
