// Runs this machine as a host for a signed-in profile, for `omni host` and
// `omni start --foreground`. The daemon itself lives in src/host; this file
// only wires the profile's tokens in and turns its outcome into exit codes.

import { homedir } from 'node:os'
import { join } from 'node:path'

import { OmniError, type ErrorCode } from '../core/errors.ts'
import { createLogger } from '../core/log.ts'
import type { HostExit } from '../host/daemon.ts'
import { exitCodeFor } from './api-client.ts'
import { CliError, exitCodes, usageError } from './cli-error.ts'
import { terminalLogger, wantsJsonLogs } from './host-terminal.ts'
import { say } from './output.ts'
import {
  getAccessToken,
  loginHint,
  SignInExpiredError,
  type SignedInProfile,
} from './session-tokens.ts'

export interface RunningHost {
  /** Settles when the daemon stops; rejects with a CliError for the
   * reasons a person must act on (host id taken, sign-in gone, host
   * removed, replaced, refused) and for a fault of the daemon. */
  closed: Promise<void>
  stop(): void
}

export async function startHost(
  profile: SignedInProfile,
  name: string | undefined,
): Promise<RunningHost> {
  // Loaded on demand so that commands that never run a host stay light.
  const { hostNameRule, isValidHostName, loadOrCreateHostIdentity } =
    await import('../host/host-identity.ts')
  const { startHostDaemon } = await import('../host/daemon.ts')
  const { modelSettingsFromEnv } = await import('../agent/model-settings.ts')
  const { commandRecord } = await import('../host/leftover-commands.ts')
  const { hostLog } = await import('../host/host-log.ts')

  const identity = await loadOrCreateHostIdentity(profile.home, name)
  if (!isValidHostName(identity.name)) {
    throw usageError(
      `This host's name "${identity.name}" cannot be used. ${hostNameRule} Pick one with --name.`,
    )
  }

  const json = wantsJsonLogs()
  const log = json ? createLogger('omni-host') : terminalLogger('omni-host')
  const commands = commandRecord(profile.home)
  const leftovers = commands.stopLeftovers()
  if (leftovers.length > 0) hostLog.leftoversStopped(log, leftovers)

  const daemon = startHostDaemon({
    serverUrl: profile.record.workspaceUrl,
    hostId: identity.id,
    hostName: identity.name,
    accessToken: () => hostAccessToken(profile),
    model: modelSettingsFromEnv(process.env),
    log,
    privateDirs: [profile.home, join(homedir(), '.omnigent')],
    commands,
  })

  const closed = daemon.closed.then((outcome) => {
    commands.close()
    const failure = exitFailure(outcome, profile)
    if (failure) throw failure
  })

  // Whichever comes first: connected, or refused before ever connecting.
  // In a terminal the daemon's own line says so on every (re)connection.
  const ended = closed.then(() => null)
  const ready = await Promise.race([daemon.ready.catch(() => ended), ended])
  if (ready && json) {
    say(`Host ${ready.hostName} is connected as ${ready.owner}.`)
  }

  return { closed, stop: () => daemon.stop() }
}

/** The profile's token, refreshed when it is about to lapse. A sign-in that
 * cannot be refreshed (the issuer answered invalid_grant, or there is no
 * refresh token) is permanent for the daemon, which then ends; anything
 * else (the issuer unreachable for now) is worth another try later. */
async function hostAccessToken(profile: SignedInProfile): Promise<string> {
  try {
    return await getAccessToken(profile)
  } catch (error) {
    if (error instanceof SignInExpiredError) {
      throw new OmniError('unauthenticated', error.message)
    }
    throw error
  }
}

function exitFailure(
  outcome: HostExit,
  profile: SignedInProfile,
): CliError | null {
  switch (outcome.reason) {
    case 'stopped':
      return null
    case 'host_taken':
      return new CliError(outcome.message, exitCodes.hostTaken)
    case 'removed':
      return new CliError(outcome.message, exitCodes.notFound)
    case 'replaced':
      return new CliError(outcome.message, exitCodes.hostReplaced)
    case 'refused':
      return new CliError(
        outcome.message,
        exitCodeFor(outcome.status, outcome.code as ErrorCode),
      )
    case 'failed':
      return new CliError(`The host failed: ${outcome.message}`)
    case 'unauthenticated': {
      const hint = loginHint(profile)
      const message = outcome.message.includes('omni login')
        ? outcome.message
        : `${outcome.message} Run: ${hint}`
      return new CliError(message, exitCodes.auth)
    }
  }
}
