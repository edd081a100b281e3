import { useState } from 'react'
import { asApiError, type ApiError } from './api-client.ts'
import { useApp } from './app-context.ts'
import { ErrorAlert } from './error-alert.tsx'
import { HostState } from './host-state.tsx'
import { usePolling } from './use-polling.ts'
import { useResource } from './use-resource.ts'

export function HostsPage() {
  const { api } = useApp()
  const hosts = useResource(() => api.hosts(), [api])
  usePolling(hosts.reload)
  const [error, setError] = useState<ApiError | null>(null)

  async function remove(name: string) {
    setError(null)
    try {
      await api.removeHost(name)
    } catch (failure) {
      setError(asApiError(failure))
    }
    hosts.reload()
  }

  const list = hosts.data ?? []

  return (
    <main className="page" data-testid="hosts-page">
      <h1>Hosts</h1>
      <ErrorAlert error={hosts.error ?? error} />

      {hosts.data?.length === 0 && <p>You have no hosts yet.</p>}
      <ul className="rows" data-testid="hosts">
        {list.map((host) => (
          <li key={host.id} data-testid="host-row" data-host={host.name}>
            <strong>{host.name}</strong> <HostState online={host.online} />
            {host.lastSeenAt && (
              <span className="hint">
                {' '}
                last seen {new Date(host.lastSeenAt).toLocaleString()}
              </span>
            )}
            <button
              type="button"
              aria-label={`Remove ${host.name}`}
              onClick={() => remove(host.name)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>

      <section>
        <h2>Register a host</h2>
        <p>
          On the machine that should run your agents, sign in to this workspace
          and start the host. The host belongs to you; nobody else can see or
          use it.
        </p>
        <pre data-testid="host-instructions">
          <code>{`omni login ${location.origin}\nomni host`}</code>
        </pre>
      </section>
    </main>
  )
}
