/** The path to return to after sign-in, when it is safe: a path on this
 * server, never `//host` or `/\host` (which browsers treat as another
 * origin) and never a URL with a scheme. Anything else becomes `/`. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048) return '/'
  if (!value.startsWith('/')) return '/'
  if (value.startsWith('//') || value.startsWith('/\\')) return '/'
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/'

  // Resolving against a throwaway origin must not change the origin.
  const base = 'http://omnigent.invalid'
  const resolved = new URL(value, base)
  if (resolved.origin !== base) return '/'
  return resolved.pathname + resolved.search + resolved.hash
}
