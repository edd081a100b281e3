// How long to wait before dialling the server again: doubling from 0.5 s to
// 30 s, each delay drawn from its upper half so that many hosts cut off by
// one server restart do not all come back in the same instant.

const baseMs = 500
const maxMs = 30_000

/** `failures` counts attempts that failed since the last good connection,
 * starting at 1. `capMs` shortens the longest wait, for a refusal that a
 * person may lift at any moment (an admin turning Omnigent on). */
export function reconnectDelay(
  failures: number,
  random = Math.random,
  capMs = maxMs,
): number {
  const top = Math.min(maxMs, capMs)
  const ceiling = Math.min(top, baseMs * 2 ** Math.max(0, failures - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
