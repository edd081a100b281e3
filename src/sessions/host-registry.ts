// Hosts online on this server, by host id. A host appears here only after
// the server accepted its tunnel for the identity that owns it.

import type { ServerToHost } from '../protocol/host-tunnel.ts'

export interface HostLink {
  readonly hostId: string
  readonly ownerId: string
  send(frame: ServerToHost): void
  close(code: number, reason: string): void
}

export class HostRegistry {
  readonly #links = new Map<string, HostLink>()

  /** Adds a link, closing any older link of the same host (a reconnect). */
  attach(link: HostLink): void {
    const previous = this.#links.get(link.hostId)
    this.#links.set(link.hostId, link)
    previous?.close(4000, 'replaced by a newer connection')
  }

  /** Removes the link if it is still the current one for its host. */
  detach(link: HostLink): boolean {
    if (this.#links.get(link.hostId) !== link) return false
    this.#links.delete(link.hostId)
    return true
  }

  get(hostId: string): HostLink | undefined {
    return this.#links.get(hostId)
  }

  isOnline(hostId: string): boolean {
    return this.#links.has(hostId)
  }
}
