import { useState } from 'react'

/** Deleting removes the session for everyone, so it asks once more. */
export function DeleteSession({ onDelete }: { onDelete: () => void }) {
  const [asking, setAsking] = useState(false)

  if (!asking) {
    return (
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        Delete session
      </button>
    )
  }

  return (
    <div className="confirm">
      <p>Delete this session and its transcript for everyone?</p>
      <button type="button" className="danger" onClick={onDelete}>
        Delete
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </div>
  )
}
