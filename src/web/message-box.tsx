import { useState, type FormEvent, type KeyboardEvent } from 'react'
import { asApiError, type ApiError } from './api-client.ts'
import { useApp } from './app-context.ts'
import { ErrorAlert } from './error-alert.tsx'

/** Sends a message (starting a turn) and interrupts a running one. On a
 * failure the text stays, so nothing typed is lost. */
export function MessageBox(props: { sessionId: string; running: boolean }) {
  const { api } = useApp()
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  async function run(action: () => Promise<unknown>, clear: boolean) {
    setBusy(true)
    setError(null)
    try {
      await action()
      if (clear) setText('')
    } catch (failure) {
      setError(asApiError(failure))
    } finally {
      setBusy(false)
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault()
    if (!text.trim()) return
    void run(() => api.sendMessage(props.sessionId, text), true)
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      submit(event)
    }
  }

  return (
    <form className="message-box" onSubmit={submit}>
      <ErrorAlert error={error} />
      <label htmlFor="message">Message</label>
      <textarea
        id="message"
        name="message"
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={busy || !text.trim()}
        >
          Send
        </button>
        {props.running && (
          <button
            type="button"
            disabled={busy}
            onClick={() => run(() => api.interrupt(props.sessionId), false)}
          >
            Interrupt
          </button>
        )}
      </div>
    </form>
  )
}
