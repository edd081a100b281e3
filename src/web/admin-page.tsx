import { useState } from 'react'
import { asApiError, type ApiError } from './api-client.ts'
import { useApp } from './app-context.ts'
import { ErrorAlert } from './error-alert.tsx'
import { useResource } from './use-resource.ts'

/** The workspace admin's switch. While Omnigent is off this is all an admin
 * sees, so it stands on its own. */
export function AdminPage() {
  const { api, me, refreshMe } = useApp()
  const workspace = useResource(() => api.workspace(), [api])
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  if (!me.isAdmin) {
    return (
      <main className="page">
        <h1>Admin</h1>
        <p role="alert" className="alert">
          Only a workspace admin can do this.
        </p>
      </main>
    )
  }

  const enabled = workspace.data?.enabled ?? me.enabled

  async function toggle() {
    setSaving(true)
    setError(null)
    try {
      await api.setEnablement(!enabled)
      workspace.reload()
      refreshMe()
    } catch (failure) {
      setError(asApiError(failure))
    } finally {
      setSaving(false)
    }
  }

  return (
    <main className="page" data-testid="admin-page">
      <h1>Admin</h1>
      <ErrorAlert error={workspace.error ?? error} />

      <p data-testid="enablement-status">
        {enabled
          ? 'Omnigent is enabled for this workspace.'
          : 'Omnigent is not enabled for this workspace. Members cannot use it until you turn it on.'}
      </p>

      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          checked={enabled}
          disabled={saving || workspace.loading}
          onChange={toggle}
        />
        Enable Omnigent for this workspace
      </label>

      <p className="hint">
        Turning Omnigent off stops its use at once and deletes nothing.
      </p>
    </main>
  )
}
