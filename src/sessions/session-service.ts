// What people do with sessions, each action checked by the access policy
// before it runs. The edges (HTTP, WebSocket, MCP) call this service with the
// authenticated actor; nothing here trusts a client for author, owner or
// level.

import type { Kysely } from 'kysely'
import {
  decideSession,
  enforce,
  type Actor,
  type Relation,
  type SessionAction,
} from '../access/policy.ts'
import { normalizeEmail } from '../core/email.ts'
import { OmniError } from '../core/errors.ts'
import { hasControlCharacter } from '../core/plain-text.ts'
import {
  maxTitleLength,
  type Collaborator,
  type CreateSession,
  type MessageAccepted,
  type SessionDetail,
  type SessionSummary,
} from '../protocol/api.ts'
import type { SessionEvent } from '../protocol/session-events.ts'
import { appendAudit } from '../storage/audit-store.ts'
import {
  listGrants,
  putGrant,
  relationOf,
  removeGrant,
  removeGrantsForUser,
  type GrantListRow,
} from '../storage/grant-store.ts'
import { findHostByName, getHost } from '../storage/host-store.ts'
import type { Database, Level } from '../storage/schema.ts'
import {
  createSession,
  deleteSession,
  getSession,
  listSessionsForUser,
  renameSession,
  type SessionRow,
} from '../storage/session-store.ts'
import { findUsersByEmail, getUserById } from '../storage/user-store.ts'
import type { EventLog } from './event-log.ts'
import type { HostRegistry } from './host-registry.ts'
import type { LiveHub } from './live-hub.ts'
import { TurnRunner } from './turn-runner.ts'

export interface SessionServiceOptions {
  db: Kysely<Database>
  workspaceId: string
  events: EventLog
  hub: LiveHub
  hosts: HostRegistry
}

export type ListScope = 'mine' | 'shared' | 'all'

export class SessionService {
  readonly #db: Kysely<Database>
  readonly #ws: string
  readonly #events: EventLog
  readonly #hub: LiveHub
  readonly #hosts: HostRegistry
  readonly turns: TurnRunner

  constructor(options: SessionServiceOptions) {
    this.#db = options.db
    this.#ws = options.workspaceId
    this.#events = options.events
    this.#hub = options.hub
    this.#hosts = options.hosts
    this.turns = new TurnRunner(options)
  }

  /** Loads the session and the actor's relation, and asks the policy. */
  async authorize(
    actor: Actor,
    sessionId: string,
    action: SessionAction,
  ): Promise<{ session: SessionRow; relation: Relation }> {
    const relation = await relationOf(
      this.#db,
      this.#ws,
      sessionId,
      actor.userId,
    )
    enforce(decideSession(relation, action))

    const session = await getSession(this.#db, this.#ws, sessionId)
    if (!session) throw new OmniError('not_found')
    return { session, relation }
  }

  relationOf(actor: Actor, sessionId: string): Promise<Relation> {
    return relationOf(this.#db, this.#ws, sessionId, actor.userId)
  }

  async list(actor: Actor, scope: ListScope): Promise<SessionSummary[]> {
    const rows = await listSessionsForUser(
      this.#db,
      this.#ws,
      actor.userId,
      scope,
    )
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      owner: row.owner_email,
      host: row.host_name,
      dir: row.dir,
      level: row.level,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }))
  }

  async create(actor: Actor, input: CreateSession): Promise<SessionDetail> {
    const host = await findHostByName(
      this.#db,
      this.#ws,
      actor.userId,
      input.host,
    )
    if (!host) {
      throw new OmniError('not_found', `You have no host named ${input.host}.`)
    }

    const dir = checkDir(input.dir ?? '~')
    const title = checkTitle(input.title ?? defaultTitle(dir))
    const session = await createSession(this.#db, this.#ws, {
      ownerId: actor.userId,
      hostId: host.id,
      dir,
      title,
    })
    await this.#audit(actor, 'session.create', session.id, {})
    return this.detail(actor, session.id)
  }

  async detail(actor: Actor, sessionId: string): Promise<SessionDetail> {
    const { session, relation } = await this.authorize(
      actor,
      sessionId,
      'session.view',
    )
    const owner = await getUserById(this.#db, this.#ws, session.owner_id)
    const host = await getHost(this.#db, this.#ws, session.host_id)
    const grants = await listGrants(this.#db, this.#ws, sessionId)
    const collaborators: Collaborator[] = [
      { email: owner?.email ?? 'unknown', level: 'owner' },
      // A bound grant shows the person's current address.
      ...grants.map((grant) => ({
        email: grant.user_email ?? grant.email,
        level: grant.level,
      })),
    ]

    return {
      id: session.id,
      title: session.title,
      owner: owner?.email ?? 'unknown',
      host: host?.name ?? 'unknown',
      dir: session.dir,
      level: relation === 'none' ? 'read' : relation,
      createdAt: session.created_at,
      updatedAt: session.updated_at,
      hostOnline: this.#hosts.isOnline(session.host_id),
      busy: this.turns.isBusy(session.id),
      collaborators,
    }
  }

  async events(
    actor: Actor,
    sessionId: string,
    afterSeq: number,
  ): Promise<SessionEvent[]> {
    await this.authorize(actor, sessionId, 'session.view')
    return this.#events.after(sessionId, afterSeq)
  }

  async send(
    actor: Actor,
    sessionId: string,
    text: string,
  ): Promise<MessageAccepted> {
    const { session } = await this.authorize(actor, sessionId, 'session.send')
    await this.#refuseRemovedHost(session)
    return this.turns.start(actor, session, text)
  }

  // A removed host id is refused for good when it dials in, and a host
  // registered anew under the same name gets a new id: `omni host` cannot
  // bring the session back, so "offline; start it" would mislead.
  async #refuseRemovedHost(session: SessionRow): Promise<void> {
    const host = await getHost(this.#db, this.#ws, session.host_id)
    if (host?.removed_at) throw new OmniError('host_removed')
  }

  async interrupt(actor: Actor, sessionId: string): Promise<boolean> {
    await this.authorize(actor, sessionId, 'session.interrupt')
    const turnId = this.turns.interrupt(sessionId, actor)
    if (turnId === null) return false

    await this.#audit(actor, 'turn.interrupt', sessionId, { turnId })
    return true
  }

  async rename(actor: Actor, sessionId: string, title: string): Promise<void> {
    const { session } = await this.authorize(actor, sessionId, 'session.rename')
    checkTitle(title)
    // The same title again changes nothing, so it writes nothing either.
    if (session.title === title) return

    await renameSession(this.#db, this.#ws, sessionId, title)
    await this.#events.append({
      sessionId,
      turnId: null,
      body: { kind: 'session.renamed', title },
      author: { id: actor.userId, email: actor.email },
    })
    await this.#audit(actor, 'session.rename', sessionId, {})
  }

  /** Shares the session with an email, or changes the level of the grant
   * that person holds. One person holds at most one grant: a grant under
   * another of their addresses gives way to this one. */
  async share(
    actor: Actor,
    sessionId: string,
    email: string,
    level: Level,
  ): Promise<Collaborator> {
    const { session } = await this.authorize(actor, sessionId, 'session.share')
    const address = normalizeEmail(email)
    const user = await this.#verifiedUserByEmail(address)
    await this.#refuseOwnerGrant(session, address, user?.id)

    const held = await this.#grantsOf(sessionId, address, user?.id)
    for (const grant of held) {
      if (grant.email !== address) {
        await removeGrant(this.#db, this.#ws, sessionId, grant.email)
      }
    }
    await putGrant(this.#db, this.#ws, {
      sessionId,
      email: address,
      userId: user?.id ?? null,
      level,
      createdBy: actor.userId,
    })

    await this.#accessChanged(sessionId)
    const from = strongest(held)
    await this.#audit(actor, 'grant.put', sessionId, {
      email: address,
      change: from === null ? 'new' : from === level ? 'none' : 'level',
      from,
      to: level,
    })
    return { email: address, level }
  }

  async unshare(actor: Actor, sessionId: string, email: string): Promise<void> {
    const { session } = await this.authorize(actor, sessionId, 'session.share')
    const address = normalizeEmail(email)
    await this.#refuseOwnerGrant(session, address, undefined)

    // The person may be named by the address they were shared with or by
    // the one they sign in with now; either ends their access.
    const grants = await listGrants(this.#db, this.#ws, sessionId)
    const held = grants.filter(
      (grant) => grant.email === address || grant.user_email === address,
    )
    for (const grant of held) {
      await removeGrant(this.#db, this.#ws, sessionId, grant.email)
    }
    if (held.length === 0) {
      throw new OmniError(
        'not_found',
        `${address} has no access to this session.`,
      )
    }

    await this.#accessChanged(sessionId)
    await this.#audit(actor, 'grant.revoke', sessionId, { email: address })
  }

  async leave(actor: Actor, sessionId: string): Promise<void> {
    await this.authorize(actor, sessionId, 'session.leave')
    await removeGrantsForUser(this.#db, this.#ws, sessionId, actor.userId)

    await this.#accessChanged(sessionId)
    await this.#audit(actor, 'grant.leave', sessionId, {})
  }

  async delete(actor: Actor, sessionId: string): Promise<void> {
    await this.authorize(actor, sessionId, 'session.delete')
    this.turns.interrupt(sessionId)
    this.turns.forget(sessionId)
    await deleteSession(this.#db, this.#ws, sessionId)
    this.#hub.sessionDeleted(sessionId)
    await this.#audit(actor, 'session.delete', sessionId, {})
  }

  // The owner's access is the session row itself, not a grant: it cannot be
  // given, lowered or taken away, under any address of the owner's.
  async #refuseOwnerGrant(
    session: SessionRow,
    address: string,
    userId: string | undefined,
  ): Promise<void> {
    const owner = await getUserById(this.#db, this.#ws, session.owner_id)
    if (owner?.email !== address && userId !== session.owner_id) return
    throw new OmniError(
      'invalid_input',
      'The owner always has full access; the owner’s access cannot change.',
    )
  }

  /** The grants under this address or bound to this person. */
  async #grantsOf(
    sessionId: string,
    address: string,
    userId: string | undefined,
  ): Promise<GrantListRow[]> {
    const grants = await listGrants(this.#db, this.#ws, sessionId)
    return grants.filter(
      (grant) =>
        grant.email === address ||
        (userId !== undefined && grant.user_id === userId),
    )
  }

  // Every open stream of the session re-checks its viewer before the
  // request that changed access returns. A running turn acts for the person
  // who sent its message; once they may no longer send, it stops too.
  async #accessChanged(sessionId: string): Promise<void> {
    const relation = (userId: string) =>
      relationOf(this.#db, this.#ws, sessionId, userId)
    await this.#hub.accessChanged(sessionId, relation)

    const author = this.turns.authorOf(sessionId)
    if (author === undefined) return
    const still = decideSession(await relation(author), 'session.send')
    if (!still.allowed) {
      this.turns.interrupt(sessionId, { reason: accessEndedReason })
    }
  }

  // A grant binds to a person only through a verified email; several people
  // may have presented one address over time, so take the latest verified.
  async #verifiedUserByEmail(email: string) {
    const users = await findUsersByEmail(this.#db, this.#ws, email)
    const verified = users.filter((user) => user.email_verified === 1)
    verified.sort((a, b) => b.last_seen_at.localeCompare(a.last_seen_at))
    return verified[0]
  }

  async #audit(
    actor: Actor,
    action: string,
    sessionId: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await appendAudit(this.#db, this.#ws, {
      actorId: actor.userId,
      actorEmail: actor.email,
      action,
      targetType: 'session',
      targetId: sessionId,
      sessionId,
      detail,
    })
  }
}

const accessEndedReason =
  'Stopped: the person who sent this message no longer has Edit access.'

function checkTitle(title: string): string {
  if (hasControlCharacter(title)) {
    throw new OmniError(
      'invalid_input',
      'title must not contain control characters.',
    )
  }
  return title
}

/** The dir is shown on one line beside the title, and names the default
 * title, so it is held to the same rule; the error names the dir, since the
 * person gave no title. */
function checkDir(dir: string): string {
  if (hasControlCharacter(dir)) {
    throw new OmniError(
      'invalid_input',
      'dir must not contain control characters.',
    )
  }
  return dir
}

/** "Session in <last folder>", kept within the limit a title given by a
 * person has: a long folder name is cut and ends in an ellipsis. */
function defaultTitle(dir: string): string {
  const last = dir.split('/').filter(Boolean).pop()
  if (!last) return 'New session'

  const title = `Session in ${last}`
  if (title.length <= maxTitleLength) return title
  // Cut between characters, never inside a surrogate pair.
  const cut = title.slice(0, maxTitleLength - 1).replace(/[\uD800-\uDBFF]$/, '')
  return `${cut}…`
}

function strongest(grants: GrantListRow[]): Level | null {
  if (grants.some((grant) => grant.level === 'edit')) return 'edit'
  return grants.length > 0 ? 'read' : null
}
