/** Now as the ISO-8601 UTC string every table stores. */
export function now(): string {
  return new Date().toISOString()
}

export function isoAfter(ms: number, from = Date.now()): string {
  return new Date(from + ms).toISOString()
}
