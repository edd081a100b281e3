// Runs this machine as a host for a signed-in profile, for `omni host` and
// `omni start --foreground`. The daemon itself lives in src/host; this file
// only wires the profile's tokens in and turns its outcome into exit codes.

import { createLogger } from '../core/log.ts'
import { CliError, exitCodes } from './cli-error.ts'
import { say } from './output.ts'
import {
  getAccessToken,
  loginHint,
  type SignedInProfile,
} from './session-tokens.ts'

/** How the daemon ended, as src/host/daemon.ts reports it. */
type HostClosed =
  | { reason: 'stopped' }
  | { reason: 'host_taken' | 'unauthenticated'; message: string }

export interface RunningHost {
  /** Settles when the daemon stops; rejects with a CliError for the
   * reasons a person must act on (host id taken, sign-in gone). */
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
    accessToken: () => getAccessToken(profile),
    model: modelSettingsFromEnv(process.env),
    log: createLogger('omni-host'),
  })

  const closed = daemon.closed.then((outcome: HostClosed) => {
    if (outcome.reason === 'host_taken') {
      throw new CliError(outcome.message, exitCodes.hostTaken)
    }
    if (outcome.reason === 'unauthenticated') {
      throw new CliError(
        `${outcome.message} Run: ${loginHint(profile)}`,
        exitCodes.auth,
      )
    }
  })

  // Whichever comes first: connected, or refused before ever connecting.
  const ended = closed.then(() => null)
  const ready = await Promise.race([daemon.ready.catch(() => ended), ended])
  if (ready) say(`Host ${ready.hostName} is connected as ${ready.owner}.`)

  return { closed, stop: () => daemon.stop() }
}
