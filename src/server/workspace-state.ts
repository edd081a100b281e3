// Whether Omnigent is on for the workspace. Read on every request, so it is
// kept in memory and written through to the settings table. Turning it off
// also stops what is already running: whoever holds open streams, tunnels
// or turns registers to hear it.

import type { Kysely } from 'kysely'
import { getSetting, putSetting } from '../storage/settings-store.ts'
import type { Database } from '../storage/schema.ts'

const enabledKey = 'enabled'

export class WorkspaceState {
  readonly #db: Kysely<Database>
  readonly #workspaceId: string
  #enabled = false
  readonly #onDisabled: Array<() => Promise<void>> = []

  private constructor(db: Kysely<Database>, workspaceId: string) {
    this.#db = db
    this.#workspaceId = workspaceId
  }

  static async load(
    db: Kysely<Database>,
    workspaceId: string,
  ): Promise<WorkspaceState> {
    const state = new WorkspaceState(db, workspaceId)
    state.#enabled = (await getSetting(db, workspaceId, enabledKey)) === 'true'
    return state
  }

  get enabled(): boolean {
    return this.#enabled
  }

  /** Runs `stop` each time Omnigent is turned off, before the change is
   * reported done. */
  onDisabled(stop: () => Promise<void>): void {
    this.#onDisabled.push(stop)
  }

  async setEnabled(enabled: boolean): Promise<void> {
    await putSetting(this.#db, this.#workspaceId, enabledKey, String(enabled))
    this.#enabled = enabled
    if (enabled) return

    for (const stop of this.#onDisabled) await stop()
  }
}
