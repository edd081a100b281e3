// Runs this machine as a host for a signed-in profile, for `omni host` and
// `omni start --foreground`. The daemon itself lives in src/host; this file
// only wires the profile's tokens in and turns its outcome into exit codes.

import { OmniError } from '../core/errors.ts'
import { createLogger } from '../core/log.ts'
import type { HostExit } from '../host/daemon.ts'
import { CliError, exitCodes } from './cli-error.ts'
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
   * removed). */
  closed: Promise<void>
  stop(): void
}

export async function startHost(
  profile: SignedInProfile,
  name: string | undefined,
): Promise<RunningHost> {
  // Loaded on demand so that commands that never run a host stay light.
  const { loadOrCreateHostIdentity } = await import('../host/host-identity.ts')
  const { startHostDaemon } = await import('../host/daemon.ts')
  const { modelSettingsFromEnv } = await import('../agent/model-settings.ts')

  const identity = await loadOrCreateHostIdentity(profile.home, name)
  const daemon = startHostDaemon({
    serverUrl: profile.record.workspaceUrl,
    hostId: identity.id,
    hostName: identity.name,
    accessToken: () => hostAccessToken(profile),
    model: modelSettingsFromEnv(process.env),
    log: createLogger('omni-host'),
  })

  const closed = daemon.closed.then((outcome) => {
    const failure = exitFailure(outcome, profile)
    if (failure) throw failure
  })

  // Whichever comes first: connected, or refused before ever connecting.
  const ended = closed.then(() => null)
  const ready = await Promise.race([daemon.ready.catch(() => ended), ended])
  if (ready) say(`Host ${ready.hostName} is connected as ${ready.owner}.`)

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
    case 'unauthenticated': {
      const hint = loginHint(profile)
      const message = outcome.message.includes('omni login')
        ? outcome.message
        : `${outcome.message} Run: ${hint}`
      return new CliError(message, exitCodes.auth)
    }
  }
}
