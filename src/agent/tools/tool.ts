// What every tool provides, and the small helpers they share: resolving a
// path against the session's directory, reading arguments, bounding output.

import { isAbsolute, resolve } from 'node:path'

import type { ToolSpec } from '../model-client.ts'

export interface ToolContext {
  /** The session's working directory; relative paths resolve against it. */
  dir: string
  signal: AbortSignal
  /** Folders no file tool reads, writes, lists or searches; by default the
   * Omnigent home (see private-dirs.ts). */
  privateDirs?: readonly string[]
  /** Told about each command's process group while it runs. */
  commands?: CommandTracker
}

/** Lets the host remember running commands, so that after it is killed
 * outright it can stop what it left behind on its next start. */
export interface CommandTracker {
  started(pid: number): void
  ended(pid: number): void
}

export interface ToolOutput {
  output: string
  isError: boolean
}

export interface Tool extends ToolSpec {
  run(args: Record<string, unknown>, context: ToolContext): Promise<ToolOutput>
}

/** A failure the model should read and can act on, such as a missing file
 * or a bad argument. The loop turns it into an error result. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ToolError'
  }
}

export function resolvePath(dir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dir, path)
}

export function stringArg(args: Record<string, unknown>, name: string): string {
  const value = args[name]
  if (typeof value !== 'string') {
    throw new ToolError(`The argument "${name}" must be a string.`)
  }
  return value
}

export function optionalStringArg(
  args: Record<string, unknown>,
  name: string,
): string | undefined {
  return args[name] === undefined ? undefined : stringArg(args, name)
}

export function optionalNumberArg(
  args: Record<string, unknown>,
  name: string,
): number | undefined {
  const value = args[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ToolError(`The argument "${name}" must be a positive number.`)
  }
  return value
}

/** Folders no search or listing walks into: large and rarely what the
 * agent is after. */
export const skippedDirs = new Set(['.git', 'node_modules'])
