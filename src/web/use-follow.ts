// Live events of one session over its follow WebSocket. Keeps the last seq it
// saw, appends each event once, and on a dropped connection reconnects with
// backoff from that seq. A close that means "no longer for you" (revoked,
// deleted, signed out, not enabled) ends following and says why.

import { useEffect, useState } from 'react'
import type { AccessLevel } from '../protocol/api.ts'
import type { FollowFrame } from '../protocol/follow.ts'
import type { SessionEvent } from '../protocol/session-events.ts'
import { emptyLog, mergeEvent, type EventLog } from './event-merge.ts'
import {
  finalClose,
  followUrl,
  retryDelay,
  type FollowEnd,
} from './follow-policy.ts'

export type FollowStatus = 'connecting' | 'live' | 'reconnecting' | 'ended'

export interface FollowState {
  events: readonly SessionEvent[]
  lastSeq: number
  status: FollowStatus
  /** Set when status is `ended`. */
  end: FollowEnd | null
  /** The viewer's level as the server last announced it on this stream. */
  level: AccessLevel | null
}

const initial: FollowState = {
  events: [],
  lastSeq: 0,
  status: 'connecting',
  end: null,
  level: null,
}

export function useFollow(sessionId: string): FollowState {
  const [state, setState] = useState<FollowState>(initial)

  useEffect(() => {
    setState(initial)
    const follower = startFollowing(sessionId, (change) =>
      setState((previous) => ({ ...previous, ...change })),
    )
    return () => follower.stop()
  }, [sessionId])

  return state
}

function startFollowing(
  sessionId: string,
  update: (change: Partial<FollowState>) => void,
) {
  let log: EventLog = emptyLog
  let socket: WebSocket | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let attempt = 0
  let stopped = false

  function connect() {
    const url = followUrl(location.origin, sessionId, log.lastSeq)
    const ws = new WebSocket(url)
    let firstEvent = true
    socket = ws

    ws.onmessage = (message) => {
      const frame = parseFrame(message.data)
      if (!frame) return
      attempt = 0

      if (frame.type === 'access') {
        update({ level: frame.level, status: 'live' })
        return
      }

      const result = mergeEvent(log, frame.event, firstEvent)
      firstEvent = false
      if (result.outcome === 'gap') {
        // Something between lastSeq and this event was lost in transit; a
        // fresh connection replays from lastSeq.
        ws.close()
        return
      }
      log = result.log
      update({ events: log.events, lastSeq: log.lastSeq, status: 'live' })
    }

    ws.onopen = () => update({ status: 'live' })

    ws.onclose = (event) => {
      if (stopped || socket !== ws) return
      socket = null

      const end = finalClose(event.code)
      if (end) {
        update({ status: 'ended', end })
        return
      }

      update({ status: 'reconnecting' })
      timer = setTimeout(connect, retryDelay(attempt))
      attempt += 1
    }
  }

  connect()

  return {
    stop() {
      stopped = true
      clearTimeout(timer)
      socket?.close()
    },
  }
}

function parseFrame(data: unknown): FollowFrame | null {
  if (typeof data !== 'string') return null
  try {
    const frame = JSON.parse(data) as FollowFrame
    if (frame.type === 'event' || frame.type === 'access') return frame
    return null
  } catch {
    return null
  }
}
