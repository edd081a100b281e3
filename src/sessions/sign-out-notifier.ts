// Tells open streams that the credential they were opened with has ended. A
// stream checks its credential once, at the upgrade; without this, a person
// who signs out on the web, or revokes the access token a script follows
// with, would keep watching until the socket closed by itself.
//
// Identity calls `webSignInEnded` when one web sign-in is revoked (sign out),
// `allWebSignInsEnded` when every web sign-in of a person is (sign out
// everywhere), and `accessTokenRevoked` when a personal access token is.
// Streams opened with a workspace token or through the trusted proxy hold
// nothing here to end: their next request is checked again at the source.

import { OmniError } from '../core/errors.ts'
import type { Credential } from '../identity/authenticator.ts'

export class SignOutNotifier {
  readonly #watchers = new Map<string, Set<() => void>>()

  /** Calls `onEnded` once the credential ends (for a web sign-in, also when
   * every web sign-in of the user does), with the error its next request
   * would get, so a stream ends in the words any other request would use.
   * Returns the function that stops watching. */
  watch(
    credential: Credential | undefined,
    userId: string,
    onEnded: (error: OmniError) => void,
  ): () => void {
    const keys = keysOf(credential, userId)
    const ended = () => onEnded(endedError(credential))
    for (const key of keys) {
      let set = this.#watchers.get(key)
      if (!set) this.#watchers.set(key, (set = new Set()))
      set.add(ended)
    }

    return () => {
      for (const key of keys) {
        const set = this.#watchers.get(key)
        set?.delete(ended)
        if (set?.size === 0) this.#watchers.delete(key)
      }
    }
  }

  /** One web sign-in (by its stored id, the cookie token's hash) ended. */
  webSignInEnded(webSignInId: string): void {
    this.#fire(signInKey(webSignInId))
  }

  /** Every web sign-in of the user ended. */
  allWebSignInsEnded(userId: string): void {
    this.#fire(userKey(userId))
  }

  /** A personal access token (by its id) was revoked. */
  accessTokenRevoked(tokenId: string): void {
    this.#fire(tokenKey(tokenId))
  }

  #fire(key: string): void {
    const watchers = [...(this.#watchers.get(key) ?? [])]
    for (const onEnded of watchers) onEnded()
  }
}

/** A revoked access token is refused as revoked; a cookie whose web sign-in
 * ended is simply no sign-in any more. */
function endedError(credential: Credential | undefined): OmniError {
  return credential?.kind === 'access-token'
    ? new OmniError('token_revoked')
    : new OmniError('unauthenticated')
}

function keysOf(credential: Credential | undefined, userId: string): string[] {
  switch (credential?.kind) {
    case 'cookie':
      return [signInKey(credential.webSessionId), userKey(userId)]
    case 'access-token':
      return [tokenKey(credential.tokenId)]
    default:
      return []
  }
}

const signInKey = (id: string) => `sign-in:${id}`
const userKey = (id: string) => `user:${id}`
const tokenKey = (id: string) => `token:${id}`
