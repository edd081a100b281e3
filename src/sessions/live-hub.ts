// In-process fan-out of stored events to the viewers following a session.
// Events reach the hub only after the event log has stored them, so a viewer
// never sees anything that a reload would not show again.
//
// The hub also carries access changes: when a grant is revoked or lowered,
// every stream of that session re-checks its viewer's relation at once.

import type { SessionEvent } from '../protocol/session-events.ts'

export interface LiveListener {
  readonly userId: string
  onEvent(event: SessionEvent): void
  onAccessChanged(): void
  onSessionDeleted(): void
}

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

  accessChanged(sessionId: string): void {
    for (const listener of this.#snapshot(sessionId)) {
      listener.onAccessChanged()
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
