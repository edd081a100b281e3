// Where "Sign in" sends the browser, and where it comes back to.

/** Only a same-origin path may be a return target: anything else (an absolute
 * URL, `//host`, a backslash trick) becomes `/`, so the link can never send
 * someone off-site after sign-in. */
export function safeReturnPath(path: string): string {
  if (!path.startsWith('/')) return '/'
  if (path.startsWith('//') || path.startsWith('/\\')) return '/'
  return path
}

export function signInHref(currentPath: string): string {
  const returnTo = safeReturnPath(currentPath)
  return `/auth/login?returnTo=${encodeURIComponent(returnTo)}`
}
