// Tells open streams that the sign-in they were opened with has ended. A
// stream checks its credential once, at the upgrade; without this, a person
// who signs out on the web would keep watching until they closed the tab.
//
// Identity calls `webSignInEnded` when one web sign-in is revoked (sign out)
// and `allWebSignInsEnded` when every web sign-in of a person is (sign out
// everywhere). Streams opened with a bearer token are not tied to a web
// sign-in and are left alone by both.

export class SignOutNotifier {
  readonly #watchers = new Map<string, Set<() => void>>()

  /** Calls `onEnded` once the web sign-in, or every web sign-in of the
   * user, ends. Returns the function that stops watching. */
  watchWebSignIn(
    webSignInId: string,
    userId: string,
    onEnded: () => void,
  ): () => void {
    const keys = [signInKey(webSignInId), userKey(userId)]
    for (const key of keys) {
      let set = this.#watchers.get(key)
      if (!set) this.#watchers.set(key, (set = new Set()))
      set.add(onEnded)
    }

    return () => {
      for (const key of keys) {
        const set = this.#watchers.get(key)
        set?.delete(onEnded)
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

  #fire(key: string): void {
    const watchers = [...(this.#watchers.get(key) ?? [])]
    for (const onEnded of watchers) onEnded()
  }
}

const signInKey = (id: string) => `sign-in:${id}`
const userKey = (id: string) => `user:${id}`
