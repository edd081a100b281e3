import type { AccessLevel, Collaborator } from '../protocol/api.ts'
import { levelLabel } from './levels.ts'

/** Who can see the session, and the viewer's own way in or out: the owner
 * shares, a collaborator may leave. Neither is offered once following has
 * ended (access revoked, session deleted). */
export function SessionPeople(props: {
  owner: string
  collaborators: Collaborator[]
  level: AccessLevel
  actions: boolean
  onShare: () => void
  onLeave: () => void
}) {
  const others = props.collaborators.filter((c) => c.email !== props.owner)

  return (
    <section aria-labelledby="people-heading" className="people">
      <h2 id="people-heading">People</h2>
      <ul className="rows" data-testid="collaborators">
        <li
          data-testid="collaborator"
          data-email={props.owner}
          data-level="owner"
        >
          {props.owner} <span className="badge">Owner</span>
        </li>
        {others.map((c) => (
          <li
            key={c.email}
            data-testid="collaborator"
            data-email={c.email}
            data-level={c.level}
          >
            {c.email} <span className="badge">{levelLabel(c.level)}</span>
          </li>
        ))}
      </ul>

      {!props.actions ? null : props.level === 'owner' ? (
        <button type="button" onClick={props.onShare}>
          Share
        </button>
      ) : (
        <button type="button" onClick={props.onLeave}>
          Leave
        </button>
      )}
    </section>
  )
}
