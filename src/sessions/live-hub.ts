// In-process fan-out of stored events to the viewers following a session.
// Events reach the hub only after the event log has stored them, so a viewer
// never sees anything that a reload would not show again.
//
// The hub also carries access changes: when a grant is revoked or lowered,
// every stream of that session learns its viewer's relation at once.

import type { Relation } from '../access/policy.ts'
import type { SessionEvent } from '../protocol/session-events.ts'

export interface LiveListener {
  readonly userId: string
  onEvent(event: SessionEvent): void
  /** The viewer's relation to the session after a change of access. */
  onAccessChanged(relation: Relation): void
  onSessionDeleted(): void
}

export type RelationLookup = (userId: string) => Promise<Relation>

export class LiveHub {
  readonly #listeners = new Map<string, Set<LiveListener>>()

  subscribe(sessionId: string, listener: LiveListener): () => void {
    let set = this.#listeners.get(sessionId)
    if (!set) {
      set = new Set()
      this.#listeners.set(sessionId, set)
    }
    set.add(listener)

    return () => {
      set.delete(listener)
      if (set.size === 0) this.#listeners.delete(sessionId)
    }
  }

  publish(event: SessionEvent): void {
    for (const listener of this.#snapshot(event.sessionId)) {
      listener.onEvent(event)
    }
  }

  /** Looks up each viewer's relation once per person, however many streams
   * they hold, and tells every stream. A lookup that fails counts as no
   * access: a stream is closed rather than left open on a guess. */
  async accessChanged(
    sessionId: string,
    relationOf: RelationLookup,
  ): Promise<void> {
    const listeners = this.#snapshot(sessionId)
    const lookups = new Map<string, Promise<Relation>>()
    for (const { userId } of listeners) {
      if (!lookups.has(userId)) {
        lookups.set(
          userId,
          relationOf(userId).catch(() => 'none' as const),
        )
      }
    }

    for (const listener of listeners) {
      listener.onAccessChanged((await lookups.get(listener.userId)) ?? 'none')
    }
  }

  sessionDeleted(sessionId: string): void {
    for (const listener of this.#snapshot(sessionId)) {
      listener.onSessionDeleted()
    }
  }

  viewerCount(sessionId: string): number {
    return this.#listeners.get(sessionId)?.size ?? 0
  }

  // A listener may unsubscribe while being told; iterate over a copy.
  #snapshot(sessionId: string): LiveListener[] {
    return [...(this.#listeners.get(sessionId) ?? [])]
  }
}
