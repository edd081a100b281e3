// The owner's sharing controls. Edit lets someone act on the owner's host, so
// no Edit grant is sent until the warning has been shown and "Grant Edit"
// pressed.

import { useId, useState, type FormEvent } from 'react'
import { editWarning, type Collaborator } from '../protocol/api.ts'
import { asApiError, type ApiError } from './api-client.ts'
import { useApp } from './app-context.ts'
import { ErrorAlert } from './error-alert.tsx'
import { Field } from './field.tsx'

type GrantLevel = 'read' | 'edit'

export function ShareDialog(props: {
  sessionId: string
  collaborators: Collaborator[]
  onChanged: () => void
  onClose: () => void
}) {
  const { api } = useApp()
  const [error, setError] = useState<ApiError | null>(null)
  const grants = props.collaborators.filter((c) => c.level !== 'owner')

  async function run(action: () => Promise<unknown>): Promise<boolean> {
    setError(null)
    try {
      await action()
      props.onChanged()
      return true
    } catch (failure) {
      setError(asApiError(failure))
      return false
    }
  }

  const put = (email: string, level: GrantLevel) =>
    run(() => api.putGrant(props.sessionId, { email, level }))
  const revoke = (email: string) =>
    run(() => api.revokeGrant(props.sessionId, email))

  return (
    <section
      className="dialog"
      role="dialog"
      aria-labelledby="share-heading"
      data-testid="share-dialog"
    >
      <h2 id="share-heading">Share this session</h2>
      <ErrorAlert error={error} />
      <ShareForm onShare={put} />

      <h3>People with access</h3>
      {grants.length === 0 && <p className="hint">Only you, so far.</p>}
      <ul className="rows" data-testid="grants">
        {grants.map((grant) => (
          <GrantRow
            key={grant.email}
            grant={grant}
            onLevel={(level) => put(grant.email, level)}
            onRevoke={() => revoke(grant.email)}
          />
        ))}
      </ul>

      <button type="button" onClick={props.onClose}>
        Close
      </button>
    </section>
  )
}

function ShareForm(props: {
  onShare: (email: string, level: GrantLevel) => Promise<boolean>
}) {
  const [email, setEmail] = useState('')
  const [level, setLevel] = useState<GrantLevel>('read')
  const [busy, setBusy] = useState(false)

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    const done = await props.onShare(email.trim(), level)
    setBusy(false)
    if (!done) return

    setEmail('')
    setLevel('read')
  }

  return (
    <form className="share-form" onSubmit={submit}>
      <Field label="Email">
        {(id) => (
          <input
            id={id}
            type="email"
            name="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
      </Field>
      <Field label="Level">
        {(id) => (
          <select
            id={id}
            name="level"
            value={level}
            onChange={(e) => setLevel(e.target.value as GrantLevel)}
          >
            <option value="read">Read</option>
            <option value="edit">Edit</option>
          </select>
        )}
      </Field>
      {level === 'edit' && <EditWarning />}
      <button
        type="submit"
        className={level === 'edit' ? 'danger' : 'primary'}
        disabled={busy || !email.trim()}
      >
        {level === 'edit' ? 'Grant Edit' : 'Share'}
      </button>
    </form>
  )
}

function GrantRow(props: {
  grant: Collaborator
  onLevel: (level: GrantLevel) => Promise<boolean>
  onRevoke: () => Promise<boolean>
}) {
  const { grant } = props
  const [confirmEdit, setConfirmEdit] = useState(false)
  const selectId = useId()

  function choose(level: GrantLevel) {
    if (level === grant.level) return
    if (level === 'edit') setConfirmEdit(true)
    else void props.onLevel(level)
  }

  async function grantEdit() {
    if (await props.onLevel('edit')) setConfirmEdit(false)
  }

  return (
    <li data-testid="grant-row" data-email={grant.email}>
      <span className="email">{grant.email}</span>
      <label className="visually-hidden" htmlFor={selectId}>
        Level for {grant.email}
      </label>
      <select
        id={selectId}
        value={confirmEdit ? 'edit' : grant.level}
        onChange={(e) => choose(e.target.value as GrantLevel)}
      >
        <option value="read">Read</option>
        <option value="edit">Edit</option>
      </select>
      <button
        type="button"
        aria-label={`Revoke ${grant.email}`}
        onClick={() => void props.onRevoke()}
      >
        Revoke
      </button>

      {confirmEdit && (
        <div className="confirm">
          <EditWarning />
          <button type="button" className="danger" onClick={grantEdit}>
            Grant Edit
          </button>
          <button type="button" onClick={() => setConfirmEdit(false)}>
            Cancel
          </button>
        </div>
      )}
    </li>
  )
}

function EditWarning() {
  return (
    <p className="warning" data-testid="edit-warning">
      {editWarning}
    </p>
  )
}
