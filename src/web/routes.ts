// The app's pages by path. The server serves index.html for every path that
// is not an API path, so these are plain History API paths.

export type Route =
  | { name: 'sessions' }
  | { name: 'session'; id: string }
  | { name: 'hosts' }
  | { name: 'admin' }
  | { name: 'not-found' }

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/'
  if (path === '/' || path === '/sessions') return { name: 'sessions' }
  if (path === '/hosts') return { name: 'hosts' }
  if (path === '/admin') return { name: 'admin' }

  const session = /^\/sessions\/([^/]+)$/.exec(path)
  if (session?.[1]) {
    return { name: 'session', id: safeDecode(session[1]) }
  }

  return { name: 'not-found' }
}

export function sessionPath(id: string): string {
  return `/sessions/${encodeURIComponent(id)}`
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
