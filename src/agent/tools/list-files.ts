import { readdir } from 'node:fs/promises'

import { refusePrivate } from './private-dirs.ts'
import type { Tool } from './tool.ts'
import { optionalStringArg, resolvePath } from './tool.ts'

const maxEntries = 1000

export const listFilesTool: Tool = {
  name: 'list_files',
  description:
    'List a directory: one entry a line, directories end with "/". The ' +
    'path defaults to the working directory.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The directory to list.' },
    },
    additionalProperties: false,
  },

  async run(args, context) {
    const { dir } = context
    const path = resolvePath(dir, optionalStringArg(args, 'path') ?? '.')
    await refusePrivate(path, context)
    const entries = await readdir(path, { withFileTypes: true })

    const names = entries
      .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
      .sort()
    if (names.length === 0)
      return { output: `${path} is empty.`, isError: false }

    const shown = names.slice(0, maxEntries)
    if (names.length > maxEntries) {
      shown.push(`[… ${names.length - maxEntries} more entries]`)
    }
    return { output: shown.join('\n'), isError: false }
  },
}
