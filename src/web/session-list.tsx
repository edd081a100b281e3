import type { SessionSummary } from '../protocol/api.ts'
import type { ApiError } from './api-client.ts'
import { ErrorAlert } from './error-alert.tsx'
import { levelLabel } from './levels.ts'
import { Link } from './link.tsx'
import { sessionPath } from './routes.ts'

export function SessionList(props: {
  heading: string
  testId: string
  sessions: SessionSummary[] | null
  error: ApiError | null
  empty: string
}) {
  const { sessions } = props
  const headingId = `${props.testId}-heading`

  return (
    <section aria-labelledby={headingId} data-testid={props.testId}>
      <h2 id={headingId}>{props.heading}</h2>
      <ErrorAlert error={props.error} />
      {sessions?.length === 0 && <p className="hint">{props.empty}</p>}

      {sessions && sessions.length > 0 && (
        <table className="sessions">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Owner</th>
              <th scope="col">Host</th>
              <th scope="col">Level</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => (
              <tr
                key={session.id}
                data-testid="session-row"
                data-session-id={session.id}
              >
                <td>
                  <Link to={sessionPath(session.id)}>
                    {session.title || 'Untitled session'}
                  </Link>
                </td>
                <td>{session.owner}</td>
                <td>{session.host}</td>
                <td data-testid="session-level">{levelLabel(session.level)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
