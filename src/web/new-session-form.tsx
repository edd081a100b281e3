import { useState, type FormEvent } from 'react'
import type { Host } from '../protocol/api.ts'
import { asApiError, type ApiError } from './api-client.ts'
import { useApp } from './app-context.ts'
import { ErrorAlert } from './error-alert.tsx'
import { Field } from './field.tsx'
import { Link } from './link.tsx'
import { navigate } from './navigation.ts'
import { sessionPath } from './routes.ts'
import { usePolling } from './use-polling.ts'
import { useResource } from './use-resource.ts'

export function NewSessionForm() {
  const { api } = useApp()
  const hosts = useResource(() => api.hosts(), [api])
  usePolling(hosts.reload)
  const [host, setHost] = useState('')
  const [dir, setDir] = useState('')
  const [title, setTitle] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  const list = hosts.data ?? []
  const chosen = host || defaultHost(list)

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(null)

    try {
      const created = await api.createSession({
        host: chosen,
        ...(dir.trim() && { dir: dir.trim() }),
        ...(title.trim() && { title: title.trim() }),
      })
      navigate(sessionPath(created.id))
    } catch (failure) {
      setError(asApiError(failure))
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="new-session-heading">
      <h2 id="new-session-heading">New session</h2>
      <ErrorAlert error={hosts.error ?? error} />

      {hosts.data?.length === 0 ? (
        <p>
          You have no hosts yet. <Link to="/hosts">Register a host</Link> to
          start a session.
        </p>
      ) : (
        <form className="new-session" onSubmit={submit}>
          <Field label="Host">
            {(id) => (
              <select
                id={id}
                name="host"
                value={chosen}
                onChange={(e) => setHost(e.target.value)}
              >
                {list.map((h) => (
                  <option key={h.id} value={h.name}>
                    {h.name} ({h.online ? 'online' : 'offline'})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Directory">
            {(id) => (
              <input
                id={id}
                name="dir"
                value={dir}
                placeholder="the host's default"
                onChange={(e) => setDir(e.target.value)}
              />
            )}
          </Field>
          <Field label="Title">
            {(id) => (
              <input
                id={id}
                name="title"
                value={title}
                onChange={(e) => setTitle(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="primary" disabled={busy || !chosen}>
            Create session
          </button>
        </form>
      )}
    </section>
  )
}

/** An online host first: a session on an offline one cannot answer yet. */
function defaultHost(hosts: Host[]): string {
  return (hosts.find((h) => h.online) ?? hosts[0])?.name ?? ''
}
