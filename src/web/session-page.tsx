// One session, live: its facts, its people, the transcript as it grows and,
// for those with Edit or ownership, the message box.

import { useEffect, useState } from 'react'
import { followCloseCodes } from '../protocol/follow.ts'
import type { SessionDetail } from '../protocol/api.ts'
import { asApiError, type ApiError } from './api-client.ts'
import { useApp } from './app-context.ts'
import { DeleteSession } from './delete-session.tsx'
import { ErrorAlert } from './error-alert.tsx'
import { HostState } from './host-state.tsx'
import { canEdit, levelLabel, withViewerLevel } from './levels.ts'
import { Link } from './link.tsx'
import { MessageBox } from './message-box.tsx'
import { navigate } from './navigation.ts'
import { SessionPeople } from './session-people.tsx'
import { SessionTitle } from './session-title.tsx'
import { ShareDialog } from './share-dialog.tsx'
import { isTurnRunning, latestTitle } from './transcript-model.ts'
import { Transcript } from './transcript.tsx'
import { useFollow, type FollowState } from './use-follow.ts'
import { useResource } from './use-resource.ts'

export function SessionPage({ id }: { id: string }) {
  const { api } = useApp()
  const detail = useResource(() => api.session(id), [api, id])
  const follow = useFollow(id)
  useDetailRefresh(follow, detail.reload)
  useAccountChecks(follow)

  if (!detail.data) {
    return (
      <main className="page" data-testid="session-page">
        {detail.error ? <Unavailable error={detail.error} /> : <p>Loading…</p>}
      </main>
    )
  }

  return (
    <SessionView session={detail.data} follow={follow} reload={detail.reload} />
  )
}

function SessionView(props: {
  session: SessionDetail
  follow: FollowState
  reload: () => void
}) {
  const { api, me } = useApp()
  const { session, follow } = props
  const [sharing, setSharing] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  const level = follow.level ?? session.level
  const ended = follow.end
  const lostAccess =
    ended?.code === followCloseCodes.accessRevoked ||
    ended?.code === followCloseCodes.sessionDeleted
  const people = lostAccess
    ? session.collaborators.filter((c) => c.email !== me.email)
    : withViewerLevel(session.collaborators, me.email, level)
  const title = latestTitle(follow.events) ?? session.title
  const running = isTurnRunning(follow.events)

  async function act(action: () => Promise<unknown>, then: () => void) {
    setError(null)
    try {
      await action()
      then()
    } catch (failure) {
      setError(asApiError(failure))
    }
  }

  return (
    <main
      className="page session"
      data-testid="session-page"
      data-level={level}
    >
      <SessionTitle
        title={title}
        canRename={canEdit(level) && !ended}
        onRename={(t) => api.rename(session.id, t).then(props.reload)}
      />
      <dl className="facts">
        <dt>Owner</dt>
        <dd data-testid="session-owner">{session.owner}</dd>
        <dt>Host</dt>
        <dd>
          {session.host} <HostState online={session.hostOnline} />
        </dd>
        <dt>Directory</dt>
        <dd>
          <code>{session.dir}</code>
        </dd>
        <dt>Your access</dt>
        <dd data-testid="my-level">
          {lostAccess ? 'No access' : levelLabel(level)}
        </dd>
      </dl>

      <ErrorAlert error={error} />
      {ended && (
        <p
          className="alert"
          role="alert"
          data-testid="follow-ended"
          data-code={ended.code}
        >
          {ended.reason}
        </p>
      )}
      {follow.status === 'reconnecting' && (
        <p className="hint" role="status">
          Connection lost; reconnecting…
        </p>
      )}

      <SessionPeople
        owner={session.owner}
        collaborators={people}
        level={level}
        actions={!ended}
        onShare={() => setSharing(true)}
        onLeave={() =>
          act(
            () => api.leave(session.id),
            () => navigate('/'),
          )
        }
      />
      {sharing && level === 'owner' && (
        <ShareDialog
          sessionId={session.id}
          collaborators={session.collaborators}
          onChanged={props.reload}
          onClose={() => setSharing(false)}
        />
      )}

      <h2>Transcript</h2>
      <Transcript events={follow.events} />
      {running && (
        <p className="hint" data-testid="turn-running">
          The agent is working…
        </p>
      )}

      {!ended &&
        (canEdit(level) ? (
          <MessageBox sessionId={session.id} running={running} />
        ) : (
          <p className="notice" data-testid="read-only-notice">
            You have Read access: you can follow along but not send messages.
          </p>
        ))}

      {level === 'owner' && (
        <DeleteSession
          onDelete={() =>
            act(
              () => api.deleteSession(session.id),
              () => navigate('/'),
            )
          }
        />
      )}
    </main>
  )
}

function Unavailable({ error }: { error: ApiError }) {
  const hidden = error.code === 'not_found'
  return (
    <>
      <h1>Session unavailable</h1>
      {hidden ? (
        <p role="alert" className="alert" data-code={error.code}>
          This session does not exist, or it is not shared with you.
        </p>
      ) : (
        <ErrorAlert error={error} />
      )}
      <Link to="/">Back to sessions</Link>
    </>
  )
}

/** Collaborators and host state change outside the event log; re-read the
 * detail when the viewer's level changes or a turn ends. Debounced so a
 * replay of a long log asks once, not once per turn. */
function useDetailRefresh(follow: FollowState, reload: () => void) {
  const turnEnds = follow.events.filter((e) => e.kind === 'turn.end').length

  useEffect(() => {
    if (follow.level === null && turnEnds === 0) return
    const timer = setTimeout(reload, 300)
    return () => clearTimeout(timer)
  }, [follow.level, turnEnds, reload])
}

/** A follow stream closed for sign-in or enablement means the whole app's
 * state changed; asking /api/me again moves the app to the right page. */
function useAccountChecks(follow: FollowState) {
  const { refreshMe } = useApp()
  const code = follow.end?.code

  useEffect(() => {
    if (
      code === followCloseCodes.unauthenticated ||
      code === followCloseCodes.notEnabled
    ) {
      refreshMe()
    }
  }, [code, refreshMe])
}
