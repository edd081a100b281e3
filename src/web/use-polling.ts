// Some things a page shows change elsewhere with no event for this viewer: a
// host comes online, a session is shared with you. Pages that list them read
// them again now and then while the tab is visible, and at once when the
// person comes back to the tab.

import { useEffect } from 'react'

export const listRefreshMs = 3_000

export function usePolling(reload: () => void, intervalMs = listRefreshMs) {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload()
    }, intervalMs)

    const onVisible = () => {
      if (document.visibilityState === 'visible') reload()
    }
    document.addEventListener('visibilitychange', onVisible)

    return () => {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [reload, intervalMs])
}
