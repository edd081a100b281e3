// omni start [--foreground] [--port PORT] | omni stop
// A local server plus this machine as a host: in the background (pid and log
// files under OMNI_HOME), or in this process until Ctrl-C (`npm start`).

import type { Command } from 'commander'
import type { WorkspaceStatus } from '../../protocol/api.ts'
import { ApiClient, apiPaths } from '../api-client.ts'
import {
  fileSize,
  readLogSince,
  removeFile,
  runningPid,
  sleep,
  spawnBackground,
  stopProcess,
} from '../background.ts'
import { CliError } from '../cli-error.ts'
import { profileName, type ProfileOption } from '../context.ts'
import { findProfile } from '../credentials-store.ts'
import { startHost } from '../host-runner.ts'
import { login } from '../login-flow.ts'
import { ensureOmniHome, homePath, omniHome } from '../omni-home.ts'
import { note, say } from '../output.ts'
import { defaultPort, parsePort, startServer } from '../server-runner.ts'
import type { SignedInProfile } from '../session-tokens.ts'
import { stopOnSignals } from './host.ts'

interface StartOptions extends ProfileOption {
  foreground?: boolean
  port: string
}

const readyTimeoutMs = 30_000

export function registerStartStop(program: Command): void {
  program
    .command('start')
    .description('run a local server and this machine as a host')
    .option('--foreground', 'stay in this terminal until Ctrl-C')
    .option('--port <port>', 'port for the server', String(defaultPort))
    .option('--profile <name>', 'the profile to sign in with')
    .action(async (options: StartOptions) => {
      const home = ensureOmniHome(omniHome())
      const port = parsePort(options.port)
      if (options.foreground) await startForeground(home, port, options)
      else await startBackground(home, port, options)
    })

  program
    .command('stop')
    .description('stop what omni start started')
    .action(async () => {
      const home = omniHome()
      const stopped = [
        await stopOne(homePath(home, 'hostPid'), 'host'),
        await stopOne(homePath(home, 'serverPid'), 'server'),
      ].filter(Boolean)
      if (stopped.length === 0) say('Nothing was running.')
    })
}

async function startBackground(
  home: string,
  port: number,
  options: StartOptions,
): Promise<void> {
  const serverLog = homePath(home, 'serverLog')
  const running = runningPid(homePath(home, 'serverPid'))
  if (running) note(`The server is already running (pid ${running}).`)
  else {
    spawnBackground(
      ['server', '--port', String(port)],
      serverLog,
      homePath(home, 'serverPid'),
    )
  }

  const url = `http://127.0.0.1:${port}`
  await waitForServer(url, serverLog)
  const profile = await ensureSignedIn(home, url, options)

  const hostPid = runningPid(homePath(home, 'hostPid'))
  if (hostPid) note(`The host is already running (pid ${hostPid}).`)
  else await startHostInBackground(home, profile)

  say(`Omnigent is running at ${url}`)
  say(`Signed in as ${profile.record.email} (profile ${profile.name}).`)
  await warnIfDisabled(url)
  say(`Logs: ${serverLog} and ${homePath(home, 'hostLog')}`)
  say('Stop with: omni stop')
}

async function startForeground(
  home: string,
  port: number,
  options: StartOptions,
): Promise<void> {
  // The terminal is for the person: sign-in, then where things stand. The
  // server's request log goes to its file, as in the background.
  const serverLog = homePath(home, 'serverLog')
  const server = await startServer(home, {
    port: String(port),
    logFile: serverLog,
  })
  try {
    const profile = await ensureSignedIn(home, server.url, options)
    const host = await startHost(profile, undefined)
    say(`Omnigent is running at ${server.url}`)
    say(`Signed in as ${profile.record.email} (profile ${profile.name}).`)
    await warnIfDisabled(server.url)
    say(`Server log: ${serverLog}`)
    say('Stop with Ctrl-C.')

    let stopping = false
    stopOnSignals(() => {
      stopping = true
      host.stop()
    })
    await host.closed.catch((error: unknown) => {
      if (!stopping) throw error
    })
  } finally {
    await server.close()
  }
}

/** The profile signed in to this server: the default one, or `local` when
 * the default already belongs to another workspace (never overwritten). */
async function ensureSignedIn(
  home: string,
  url: string,
  options: ProfileOption,
): Promise<SignedInProfile> {
  let name = profileName(options)
  let record = findProfile(home, name)
  if (record && record.workspaceUrl !== url && options.profile === undefined) {
    name = 'local'
    record = findProfile(home, name)
  }
  if (record && record.workspaceUrl === url) return { home, name, record }
  if (record) {
    throw new CliError(
      `Profile "${name}" belongs to ${record.workspaceUrl}; pick another with --profile.`,
    )
  }

  note(`Sign in to ${url} (on a new install, this sets up the first admin).`)
  record = await login({
    home,
    profileName: name,
    workspaceUrl: url,
    device: false,
    write: (text) => process.stderr.write(text),
  })
  return { home, name, record }
}

async function waitForServer(url: string, logFile: string): Promise<void> {
  const api = new ApiClient({ baseUrl: url })
  const deadline = Date.now() + readyTimeoutMs
  let dots = false

  for (;;) {
    try {
      await api.get<WorkspaceStatus>(apiPaths.workspace)
      if (dots) process.stderr.write('\n')
      return
    } catch {
      if (Date.now() > deadline) {
        if (dots) process.stderr.write('\n')
        throw new CliError(
          `The server did not answer at ${url} within 30 seconds; see ${logFile}`,
        )
      }
      if (!dots) process.stderr.write('Starting the server')
      process.stderr.write('.')
      dots = true
      await sleep(500)
    }
  }
}

async function startHostInBackground(
  home: string,
  profile: SignedInProfile,
): Promise<void> {
  const logFile = homePath(home, 'hostLog')
  const pidFile = homePath(home, 'hostPid')
  const from = fileSize(logFile)
  const child = spawnBackground(
    ['host', '--profile', profile.name],
    logFile,
    pidFile,
  )

  // The host prints one line when it is connected; until then it either
  // keeps trying or exits with the reason on its last line.
  const deadline = Date.now() + readyTimeoutMs
  while (Date.now() < deadline) {
    const output = readLogSince(logFile, from)
    const connected = /^Host .* is connected as .*$/m.exec(output)
    if (connected) return say(connected[0])
    if (child.exitCode !== null || child.signalCode !== null) {
      removeFile(pidFile)
      throw new CliError(
        `The host stopped: ${lastLine(output)} (see ${logFile})`,
      )
    }
    await sleep(250)
  }
  note(`The host has not connected yet; see ${logFile}`)
}

async function warnIfDisabled(url: string): Promise<void> {
  const api = new ApiClient({ baseUrl: url })
  const status = await api.get<WorkspaceStatus>(apiPaths.workspace)
  if (!status.enabled) {
    say(
      'Omnigent is not enabled yet; a workspace admin runs: omni admin enable',
    )
  }
}

async function stopOne(pidFile: string, what: string): Promise<boolean> {
  const pid = runningPid(pidFile)
  removeFile(pidFile)
  if (!pid) return false

  await stopProcess(pid)
  say(`Stopped the ${what} (pid ${pid}).`)
  return true
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n')
  return lines.at(-1) || 'no output'
}
