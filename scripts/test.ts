// `npm test`: the strict type check, the web app build (the browser tests
// drive it), then every test file with node's runner. Ends with the runner's
// own summary (`# pass N`, `# fail N`).

import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { ensureTestServices } from './test-services.ts'

const root = resolve(import.meta.dirname, '..')
const bin = (name: string) => resolve(root, 'node_modules', '.bin', name)

function step(title: string, command: string, args: string[]): void {
  console.log(`\n▶ ${title}`)
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) {
    console.log(`\n✖ ${title} failed`)
    process.exit(result.status ?? 1)
  }
}

const only = process.argv.slice(2)
const files = only.length > 0 ? only : ['src/**/*.test.ts', 'test/**/*.test.ts']

const missing = await ensureTestServices()
if (missing.length > 0) {
  for (const problem of missing) console.log(`✖ ${problem}`)
  process.exit(1)
}

if (only.length === 0) {
  step('type check', bin('tsc'), ['-p', 'tsconfig.json'])
  step('web app build', bin('vite'), [
    'build',
    '--config',
    'src/web/vite.config.ts',
    '--logLevel',
    'warn',
  ])
}
step('tests', process.execPath, [
  '--test',
  '--test-timeout=180000',
  '--test-reporter=spec',
  ...files,
])
