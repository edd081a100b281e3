import { useState, type FormEvent } from 'react'
import { asApiError, type ApiError } from './api-client.ts'
import { ErrorAlert } from './error-alert.tsx'
import { Field } from './field.tsx'

/** The session's title, renamed in place by those with Edit or ownership. */
export function SessionTitle(props: {
  title: string
  canRename: boolean
  onRename: (title: string) => Promise<unknown>
}) {
  const [draft, setDraft] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  async function save(event: FormEvent) {
    event.preventDefault()
    if (draft === null) return
    setBusy(true)
    setError(null)

    try {
      await props.onRename(draft.trim())
      setDraft(null)
    } catch (failure) {
      setError(asApiError(failure))
    } finally {
      setBusy(false)
    }
  }

  if (draft === null) {
    return (
      <div className="title-row">
        <h1 data-testid="session-title">{props.title || 'Untitled session'}</h1>
        {props.canRename && (
          <button type="button" onClick={() => setDraft(props.title)}>
            Rename
          </button>
        )}
      </div>
    )
  }

  return (
    <form className="title-row" onSubmit={save}>
      <Field label="Title">
        {(id) => (
          <input
            id={id}
            name="title"
            value={draft}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
          />
        )}
      </Field>
      <button
        type="submit"
        className="primary"
        disabled={busy || !draft.trim()}
      >
        Save
      </button>
      <button type="button" onClick={() => setDraft(null)}>
        Cancel
      </button>
      <ErrorAlert error={error} />
    </form>
  )
}
