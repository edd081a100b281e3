// Every tool the agent may call, by name.

import { editFileTool } from './edit-file.ts'
import { listFilesTool } from './list-files.ts'
import { readFileTool } from './read-file.ts'
import { runCommandTool } from './run-command.ts'
import { searchFilesTool } from './search-files.ts'
import type { Tool } from './tool.ts'
import { writeFileTool } from './write-file.ts'

export type { Tool, ToolContext, ToolOutput } from './tool.ts'
export { ToolError } from './tool.ts'

export const tools: readonly Tool[] = [
  runCommandTool,
  readFileTool,
  writeFileTool,
  editFileTool,
  listFilesTool,
  searchFilesTool,
]

const byName = new Map(tools.map((tool) => [tool.name, tool]))

export function findTool(name: string): Tool | undefined {
  return byName.get(name)
}
