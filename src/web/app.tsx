// The whole app: who is signed in decides what shows. Signed out → the sign-in
// page; Omnigent not enabled → members get the notice, admins the switch;
// otherwise the pages by path.

import { useCallback, useEffect, useMemo, useState } from 'react'
import type { Me } from '../protocol/api.ts'
import { AdminPage } from './admin-page.tsx'
import { asApiError, createApiClient, type ApiError } from './api-client.ts'
import { AppContext, type AppContextValue } from './app-context.ts'
import { ErrorAlert } from './error-alert.tsx'
import { Header } from './header.tsx'
import { HostsPage } from './hosts-page.tsx'
import { usePathname } from './navigation.ts'
import { NotEnabledPage } from './not-enabled-page.tsx'
import { parseRoute } from './routes.ts'
import { SessionPage } from './session-page.tsx'
import { SessionsPage } from './sessions-page.tsx'
import { SignInPage } from './sign-in-page.tsx'

type AppState =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'failed'; error: ApiError }
  | { kind: 'ready'; me: Me }

export function App() {
  const [state, setState] = useState<AppState>({ kind: 'loading' })
  const [meVersion, setMeVersion] = useState(0)
  const [signOutError, setSignOutError] = useState<ApiError | null>(null)
  const refreshMe = useCallback(() => setMeVersion((v) => v + 1), [])

  const api = useMemo(
    () =>
      createApiClient({
        onProblem(error) {
          if (error.status === 401) setState({ kind: 'signed-out' })
          if (error.code === 'not_enabled') setState(markDisabled)
        },
      }),
    [],
  )

  useEffect(() => {
    api.me().then(
      (me) => setState({ kind: 'ready', me }),
      (failure: unknown) => {
        const error = asApiError(failure)
        if (error.status !== 401) setState({ kind: 'failed', error })
      },
    )
  }, [api, meVersion])

  const context = useMemo<AppContextValue | null>(
    () => (state.kind === 'ready' ? { api, me: state.me, refreshMe } : null),
    [api, state, refreshMe],
  )

  function signOut() {
    api.logout().then(
      () => location.reload(),
      (failure: unknown) => {
        const error = asApiError(failure)
        if (error.status === 401) location.reload()
        else setSignOutError(error)
      },
    )
  }

  if (state.kind === 'loading') return <Loading />
  if (state.kind === 'signed-out') return <SignInPage />
  if (state.kind === 'failed' || !context) {
    return <LoadFailed error={state.kind === 'failed' ? state.error : null} />
  }

  const { me } = context
  return (
    <AppContext value={context}>
      <Header me={me} showNav={me.enabled} onSignOut={signOut} />
      <ErrorAlert error={signOutError} />
      {me.enabled ? <Pages /> : me.isAdmin ? <AdminPage /> : <NotEnabledPage />}
    </AppContext>
  )
}

/** Any call answered `not_enabled`: the workspace was switched off. */
function markDisabled(state: AppState): AppState {
  if (state.kind !== 'ready' || !state.me.enabled) return state
  return { kind: 'ready', me: { ...state.me, enabled: false } }
}

function Pages() {
  const route = parseRoute(usePathname())

  switch (route.name) {
    case 'sessions':
      return <SessionsPage />
    case 'session':
      return <SessionPage key={route.id} id={route.id} />
    case 'hosts':
      return <HostsPage />
    case 'admin':
      return <AdminPage />
    case 'not-found':
      return (
        <main className="page">
          <h1>Not found</h1>
          <p>There is no page here.</p>
        </main>
      )
  }
}

function Loading() {
  return (
    <main className="page" aria-busy="true">
      <p>Loading…</p>
    </main>
  )
}

function LoadFailed({ error }: { error: ApiError | null }) {
  return (
    <main className="page narrow">
      <h1>Omnigent</h1>
      <ErrorAlert error={error} />
      <button type="button" onClick={() => location.reload()}>
        Try again
      </button>
    </main>
  )
}
