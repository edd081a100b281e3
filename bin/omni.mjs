#!/usr/bin/env node
// Runs the CLI on the project's own Node 24 (the `node` dev dependency),
// whatever `node` is first on PATH.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const local = join(root, 'node_modules', 'node', 'bin', 'node')
const node = existsSync(local) ? local : process.execPath
const child = spawn(
  node,
  [join(root, 'src/cli/main.ts'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal))
}
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0)
})
