import { readFile, stat } from 'node:fs/promises'

import { refusePrivate } from './private-dirs.ts'
import type { Tool } from './tool.ts'
import { resolvePath, stringArg, ToolError } from './tool.ts'

/** Larger files are refused rather than read whole into memory. */
const maxFileBytes = 1024 * 1024

export const readFileTool: Tool = {
  name: 'read_file',
  description:
    'Read a text file. The path is relative to the working directory or ' +
    'absolute.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The file to read.' },
    },
    required: ['path'],
    additionalProperties: false,
  },

  async run(args, context) {
    const { dir } = context
    const path = resolvePath(dir, stringArg(args, 'path'))
    await refusePrivate(path, context)
    const info = await stat(path)
    if (info.isDirectory()) {
      throw new ToolError(`${path} is a directory; use list_files.`)
    }
    if (info.size > maxFileBytes) {
      throw new ToolError(
        `${path} is ${info.size} bytes, more than read_file reads (${maxFileBytes}); use run_command with head, tail or sed.`,
      )
    }

    const bytes = await readFile(path)
    if (bytes.includes(0)) {
      return {
        output: `${path} is a binary file (${bytes.length} bytes).`,
        isError: false,
      }
    }
    return { output: bytes.toString('utf8'), isError: false }
  },
}
