// What `npm test` needs from the machine, made ready before any test runs:
// PostgreSQL on 127.0.0.1:5432 (half of the storage suite and the PostgreSQL
// journey) and Debian's Chromium (the browser tests). On a Debian machine
// where we are root, a missing piece is started or installed, saying so;
// anywhere else the test run stops with one line saying what is missing.

import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'

const chromium = '/usr/bin/chromium'

function run(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'inherit' })
  return result.status === 0
}

function quiet(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0
}

function isRoot(): boolean {
  return process.getuid?.() === 0
}

function postgresReady(): boolean {
  return quiet('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'])
}

async function ensurePostgres(): Promise<string | null> {
  if (process.env.OMNI_TEST_DATABASE_URL || postgresReady()) return null
  const clusters = existsSync('/etc/postgresql')
    ? readdirSync('/etc/postgresql')
    : []
  const version = clusters[0]
  if (!version || !isRoot()) {
    return 'PostgreSQL is not answering on 127.0.0.1:5432; start it or set OMNI_TEST_DATABASE_URL.'
  }

  console.log(`▶ starting PostgreSQL ${version} for the storage tests`)
  run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'])
  for (let i = 0; i < 30 && !postgresReady(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  return postgresReady() ? null : 'PostgreSQL did not start on 127.0.0.1:5432.'
}

function ensureChromium(): string | null {
  if (existsSync(chromium)) return null
  if (!isRoot() || !existsSync('/usr/bin/apt-get')) {
    return `No Chromium at ${chromium}; install Debian's chromium package.`
  }

  console.log("▶ installing Debian's Chromium for the browser tests")
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const ok =
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
      .status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'inherit',
      env,
    }).status === 0
  return ok && existsSync(chromium) ? null : 'Installing Chromium failed.'
}

export async function ensureTestServices(): Promise<string[]> {
  const problems = [await ensurePostgres(), ensureChromium()]
  return problems.filter((problem): problem is string => problem !== null)
}
