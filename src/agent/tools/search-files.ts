// A plain substring search under a directory, bounded in files, file size
// and matches so a search of a large tree still answers quickly.

import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'

import { isPrivate, privateDirsOf, refusePrivate } from './private-dirs.ts'
import type { Tool } from './tool.ts'
import {
  optionalStringArg,
  resolvePath,
  skippedDirs,
  stringArg,
  ToolError,
} from './tool.ts'

const maxMatches = 200
const maxFiles = 5000
const maxFileBytes = 1024 * 1024
const maxLineChars = 200

export const searchFilesTool: Tool = {
  name: 'search_files',
  description:
    'Find lines containing a plain text (case-sensitive) in the files under ' +
    'a directory (default: the working directory). Answers "path:line: text".',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'The text to look for.' },
      path: { type: 'string', description: 'The directory to search.' },
    },
    required: ['query'],
    additionalProperties: false,
  },

  async run(args, context) {
    const { dir, signal } = context
    const query = stringArg(args, 'query')
    if (!query) throw new ToolError('query must not be empty.')
    const root = resolvePath(dir, optionalStringArg(args, 'path') ?? '.')
    await refusePrivate(root, context)

    const matches: string[] = []
    let filesSeen = 0
    for await (const file of walk(root, privateDirsOf(context))) {
      if (signal.aborted || matches.length >= maxMatches) break
      if (++filesSeen > maxFiles) break
      await searchFile(file, query, relative(root, file), matches)
    }

    const notes: string[] = []
    if (matches.length >= maxMatches)
      notes.push(`[stopped at ${maxMatches} matches]`)
    if (filesSeen > maxFiles) notes.push(`[stopped after ${maxFiles} files]`)
    if (matches.length === 0)
      return { output: `No match for "${query}".`, isError: false }
    return {
      output: [...matches.slice(0, maxMatches), ...notes].join('\n'),
      isError: false,
    }
  },
}

async function searchFile(
  file: string,
  query: string,
  shownAs: string,
  matches: string[],
) {
  const info = await stat(file).catch(() => null)
  if (!info || info.size > maxFileBytes) return

  const bytes = await readFile(file).catch(() => null)
  if (!bytes || bytes.includes(0)) return

  const lines = bytes.toString('utf8').split('\n')
  for (const [index, line] of lines.entries()) {
    if (!line.includes(query)) continue
    matches.push(
      `${shownAs}:${index + 1}: ${line.trim().slice(0, maxLineChars)}`,
    )
    if (matches.length >= maxMatches) return
  }
}

/** Symlinks are neither followed nor read, so only real folders are
 * walked; the private ones are skipped like node_modules. */
async function* walk(
  root: string,
  privateDirs: readonly string[],
): AsyncGenerator<string> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => [])
  entries.sort((a, b) => a.name.localeCompare(b.name))

  for (const entry of entries) {
    const path = join(root, entry.name)
    if (entry.isFile()) yield path
    if (!entry.isDirectory() || skippedDirs.has(entry.name)) continue
    if (!(await isPrivate(path, privateDirs))) yield* walk(path, privateDirs)
  }
}
