import { useApp } from './app-context.ts'
import { NewSessionForm } from './new-session-form.tsx'
import { SessionList } from './session-list.tsx'
import { usePolling } from './use-polling.ts'
import { useResource } from './use-resource.ts'

export function SessionsPage() {
  const { api } = useApp()
  const mine = useResource(() => api.sessions('mine'), [api])
  const shared = useResource(() => api.sessions('shared'), [api])
  usePolling(mine.reload)
  usePolling(shared.reload)

  return (
    <main className="page" data-testid="sessions-page">
      <h1>Sessions</h1>
      <NewSessionForm />
      <SessionList
        heading="My sessions"
        testId="my-sessions"
        sessions={mine.data}
        error={mine.error}
        empty="You have no sessions yet."
      />
      <SessionList
        heading="Shared with me"
        testId="shared-sessions"
        sessions={shared.data}
        error={shared.error}
        empty="Nobody has shared a session with you yet."
      />
    </main>
  )
}
