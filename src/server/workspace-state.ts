// Whether Omnigent is on for the workspace. Read on every request, so it is
// kept in memory and written through to the settings table.

import type { Kysely } from 'kysely'
import { getSetting, putSetting } from '../storage/settings-store.ts'
import type { Database } from '../storage/schema.ts'

const enabledKey = 'enabled'

export class WorkspaceState {
  readonly #db: Kysely<Database>
  readonly #workspaceId: string
  #enabled = false

  private constructor(db: Kysely<Database>, workspaceId: string) {
    this.#db = db
    this.#workspaceId = workspaceId
  }

  static async load(
    db: Kysely<Database>,
    workspaceId: string,
  ): Promise<WorkspaceState> {
    const state = new WorkspaceState(db, workspaceId)
    state.#enabled =
      (await getSetting(db, workspaceId, enabledKey)) === 'true'
    return state
  }

  get enabled(): boolean {
    return this.#enabled
  }

  async setEnabled(enabled: boolean): Promise<void> {
    await putSetting(this.#db, this.#workspaceId, enabledKey, String(enabled))
    this.#enabled = enabled
  }
}
