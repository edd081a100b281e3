import { readFile, writeFile } from 'node:fs/promises'

import { refusePrivate } from './private-dirs.ts'
import type { Tool } from './tool.ts'
import { resolvePath, stringArg, ToolError } from './tool.ts'

/** Replacing one exact, unique snippet lets the model change a large file
 * without resending all of it, and fails loudly when it misremembers. */
export const editFileTool: Tool = {
  name: 'edit_file',
  description:
    'Replace one exact snippet of a file with new text. The snippet must ' +
    'occur exactly once in the file.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The file to change.' },
      old_text: { type: 'string', description: 'The exact text to replace.' },
      new_text: { type: 'string', description: 'The replacement text.' },
    },
    required: ['path', 'old_text', 'new_text'],
    additionalProperties: false,
  },

  async run(args, context) {
    const { dir } = context
    const path = resolvePath(dir, stringArg(args, 'path'))
    await refusePrivate(path, context)
    const oldText = stringArg(args, 'old_text')
    const newText = stringArg(args, 'new_text')
    if (!oldText) throw new ToolError('old_text must not be empty.')

    const content = await readFile(path, 'utf8')
    const count = content.split(oldText).length - 1
    if (count !== 1) {
      throw new ToolError(
        `old_text occurs ${count} times in ${path}; it must occur exactly once.`,
      )
    }

    await writeFile(
      path,
      content.replace(oldText, () => newText),
    )
    return { output: `Edited ${path}.`, isError: false }
  },
}
