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
  const url = `http://127.0.0.1:${port}`
  const running = runningPid(homePath(home, 'serverPid'))
  if (running) {
    // Ours, but perhaps on another port: say so now rather than wait.
    if (!(await answers(url))) {
      throw new CliError(
        `The server omni start started is already running (pid ${running}) on another port; ` +
          'stop it with omni stop first.',
      )
    }
    note(`The server is already running (pid ${running}).`)
  } else {
    const from = fileSize(serverLog)
    const child = spawnBackground(
      ['server', '--port', String(port)],
      serverLog,
      homePath(home, 'serverPid'),
    )
    await waitForServer(url, serverLog, () => {
      if (child.exitCode === null && child.signalCode === null) return
      removeFile(homePath(home, 'serverPid'))
      throw new CliError(
        `The server stopped: ${lastLine(readLogSince(serverLog, from))}`,
      )
    })
  }
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

/** Waits until the server answers; `checkAlive` throws once the process
 * has ended, so a server that cannot start is reported at once. */
async function waitForServer(
  url: string,
  logFile: string,
  checkAlive: () => void,
): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs
  let dots = false
  const endDots = () => dots && process.stderr.write('\n')

  while (!(await answers(url))) {
    try {
      checkAlive()
      if (Date.now() > deadline) {
        throw new CliError(
          `The server did not answer at ${url} within 30 seconds; see ${logFile}`,
        )
      }
    } catch (error) {
      endDots()
      throw error
    }

    if (!dots) process.stderr.write('Starting the server')
    process.stderr.write('.')
    dots = true
    await sleep(500)
  }
  endDots()
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

async function answers(url: string): Promise<boolean> {
  try {
    await new ApiClient({ baseUrl: url }).get<WorkspaceStatus>(
      apiPaths.workspace,
    )
    return true
  } catch {
    return false
  }
}

/** The last line a stopped process wrote, without the `omni: ` it puts
 * before its one-line errors. */
function lastLine(text: string): string {
  const lines = text.trim().split('\n')
  return (lines.at(-1) || 'no output').replace(/^omni: /, '')
}
