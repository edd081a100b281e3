import type { SessionEvent } from '../protocol/session-events.ts'
import {
  buildTranscript,
  formatArgs,
  type TranscriptItem,
} from './transcript-model.ts'

/** The session's conversation. Every item carries `data-seq` (the event's
 * seq) and `data-kind` (its event kind) for tests and for reading order. */
export function Transcript({ events }: { events: readonly SessionEvent[] }) {
  const items = buildTranscript(events)

  return (
    <ol className="transcript" data-testid="transcript" aria-live="polite">
      {items.length === 0 && <li className="hint">No messages yet.</li>}
      {items.map((item) => (
        <Item key={item.seq} item={item} />
      ))}
    </ol>
  )
}

function Item({ item }: { item: TranscriptItem }) {
  switch (item.type) {
    case 'message':
      return (
        <li className="item message" data-seq={item.seq} data-kind="message">
          <div className="author" data-testid="author">
            {item.author ?? 'unknown'}
          </div>
          <div className="text">{item.text}</div>
        </li>
      )
    case 'text':
      return (
        <li
          className="item agent"
          data-seq={item.seq}
          data-kind="assistant.text"
        >
          <div className="author">Agent</div>
          <div className="text">{item.text}</div>
        </li>
      )
    case 'tool':
      return <ToolBlock item={item} />
    case 'error':
      return (
        <li className="item error" data-seq={item.seq} data-kind="agent.error">
          Agent error: {item.message}
        </li>
      )
    case 'turn-end':
      return (
        <li
          className={`item turn-end ${item.status}`}
          data-seq={item.seq}
          data-kind="turn.end"
          data-status={item.status}
        >
          {turnEndText(item.status, item.error)}
        </li>
      )
    case 'renamed':
      return (
        <li
          className="item note"
          data-seq={item.seq}
          data-kind="session.renamed"
        >
          {item.author ?? 'Someone'} renamed the session to “{item.title}”
        </li>
      )
  }
}

function ToolBlock({
  item,
}: {
  item: Extract<TranscriptItem, { type: 'tool' }>
}) {
  const args = formatArgs(item.args)
  const result = item.result
  const state = !result ? 'running' : result.isError ? 'error' : 'done'

  return (
    <li className="item tool" data-seq={item.seq} data-kind="tool.call">
      <details>
        <summary>
          <span className="tool-name">{item.tool}</span>{' '}
          <code className="preview">{args.preview}</code>{' '}
          <span className={`tool-state ${state}`} data-testid="tool-state">
            {state}
          </span>
        </summary>
        <pre className="args">{args.full}</pre>
        {result && (
          <pre
            className={result.isError ? 'output failed' : 'output'}
            data-seq={result.seq}
            data-kind="tool.result"
          >
            {result.output}
          </pre>
        )}
      </details>
    </li>
  )
}

function turnEndText(status: string, error: string | null): string {
  if (status === 'completed') return 'Turn completed'
  if (status === 'interrupted') return 'Turn interrupted'
  return error ? `Turn failed: ${error}` : 'Turn failed'
}
