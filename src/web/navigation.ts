// Client-side navigation with the History API. Components re-render on
// `popstate`, which the browser fires for back/forward and we fire ourselves
// after pushState.

import { useSyncExternalStore } from 'react'

export function navigate(path: string): void {
  if (path === currentPath()) return
  history.pushState(null, '', path)
  dispatchEvent(new PopStateEvent('popstate'))
}

export function currentPath(): string {
  return location.pathname + location.search
}

function subscribe(onChange: () => void): () => void {
  addEventListener('popstate', onChange)
  return () => removeEventListener('popstate', onChange)
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => location.pathname)
}
