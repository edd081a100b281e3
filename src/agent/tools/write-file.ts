import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

import { refusePrivate } from './private-dirs.ts'
import type { Tool } from './tool.ts'
import { resolvePath, stringArg } from './tool.ts'

export const writeFileTool: Tool = {
  name: 'write_file',
  description:
    'Create or overwrite a file with the given content, creating missing ' +
    'parent directories. The path is relative to the working directory or ' +
    'absolute.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The file to write.' },
      content: { type: 'string', description: 'The full new content.' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },

  async run(args, context) {
    const { dir } = context
    const path = resolvePath(dir, stringArg(args, 'path'))
    await refusePrivate(path, context)
    const content = stringArg(args, 'content')

    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, content)
    const bytes = Buffer.byteLength(content)
    return { output: `Wrote ${bytes} bytes to ${path}.`, isError: false }
  },
}
