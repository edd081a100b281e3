// Slows down password guessing at the built-in workspace's sign-in form
// (OWASP ASVS 2.2.1). Five failures for one email within 15 minutes hold
// that email back for 5 minutes, and each further hold in a row doubles, up
// to a day; twenty failures from one client address hold back that address
// the same way, so one client cannot try many emails either. A successful
// sign-in clears the email's record. An unknown email is counted like a
// known one, so a hold says nothing about who has an account.
//
// The counts live in this process's memory: right for one server, and a
// restart forgets them. Several servers behind one address each count on
// their own. Behind a reverse proxy every client shares the proxy's address,
// so there the address limit is one limit for everybody and the email
// limit does the work.

export interface SignInThrottle {
  /** How long, in ms, before this email from this address may try again;
   * 0 when it may try now. */
  waitMs(email: string, address: string | undefined): number
  failed(email: string, address: string | undefined): void
  succeeded(email: string): void
}

export interface SignInThrottleOptions {
  now?: () => number
}

const minute = 60_000
const windowMs = 15 * minute
const firstHoldMs = 5 * minute
const longestHoldMs = 24 * 60 * minute
const failuresPerEmail = 5
const failuresPerAddress = 20
// Records kept at most, so a flood of made-up emails cannot grow memory
// without bound; the oldest go first.
const maxRecords = 10_000

interface Tally {
  failures: number[]
  holds: number
  heldUntil: number
}

export function createSignInThrottle(
  options: SignInThrottleOptions = {},
): SignInThrottle {
  const now = options.now ?? Date.now
  const records = new Map<string, Tally>()

  function waitFor(key: string): number {
    const record = records.get(key)
    if (record === undefined) return 0
    return Math.max(0, record.heldUntil - now())
  }

  function fail(key: string, limit: number): void {
    const at = now()
    const record = records.get(key) ?? { failures: [], holds: 0, heldUntil: 0 }
    // A hold in a row doubles; a quiet window after the last one resets it.
    if (record.holds > 0 && at - record.heldUntil > windowMs) record.holds = 0
    record.failures = [...record.failures.filter((t) => at - t < windowMs), at]

    if (record.failures.length >= limit) {
      const hold = firstHoldMs * 2 ** record.holds
      record.heldUntil = at + Math.min(hold, longestHoldMs)
      record.holds += 1
      record.failures = []
    }
    remember(key, record)
  }

  function remember(key: string, record: Tally): void {
    records.delete(key)
    records.set(key, record)
    if (records.size <= maxRecords) return
    const oldest = records.keys().next().value
    if (oldest !== undefined) records.delete(oldest)
  }

  const throttle: SignInThrottle = {
    waitMs(email, address) {
      return Math.max(
        waitFor(emailKey(email)),
        address === undefined ? 0 : waitFor(addressKey(address)),
      )
    },
    failed(email, address) {
      fail(emailKey(email), failuresPerEmail)
      if (address !== undefined) fail(addressKey(address), failuresPerAddress)
    },
    succeeded(email) {
      records.delete(emailKey(email))
    },
  }
  return Object.freeze(throttle)
}

export function throttleMessage(waitMs: number): string {
  const minutes = Math.max(1, Math.ceil(waitMs / minute))
  const unit = minutes === 1 ? 'minute' : 'minutes'
  return `Too many failed sign-ins; try again in ${minutes} ${unit}.`
}

const emailKey = (email: string) => `email:${email.trim().toLowerCase()}`
const addressKey = (address: string) => `address:${address}`
