// The one place that decides who may do what. Every entry point (HTTP route,
// WebSocket frame, terminal input, file call, MCP tool, CLI path through the
// API) gathers the facts and asks `decide`; nothing else compares levels.
//
// The table it encodes is the access contract in the product brief. A caller
// who may not see a session gets `not_found`, so its existence is not
// revealed; a caller who sees it but lacks the level gets a 403 naming it.
// Being a workspace admin never opens a session.

import { OmniError, type ErrorCode } from '../core/errors.ts'
import type { AccessLevel } from '../protocol/api.ts'

/** Who is asking, as identity resolved them. */
export interface Actor {
  userId: string
  email: string
  isAdmin: boolean
}

/** The caller's relation to a session: derived from its owner and grants. */
export type Relation = AccessLevel | 'none'

export const sessionActions = [
  'session.view',
  'session.send',
  'session.interrupt',
  'session.shell.open',
  'session.shell.watch',
  'session.files.read',
  'session.hostfiles',
  'session.rename',
  'session.share',
  'session.leave',
  'session.delete',
  'session.audit',
] as const

export type SessionAction = (typeof sessionActions)[number]

export const hostActions = ['host.view', 'host.use', 'host.remove'] as const
export type HostAction = (typeof hostActions)[number]

export const workspaceActions = [
  'workspace.status',
  'workspace.toggle',
  'workspace.audit',
  'workspace.users.add',
  'workspace.use',
  'token.create',
  'token.list',
  'token.revoke',
] as const
export type WorkspaceAction = (typeof workspaceActions)[number]

export type Action = SessionAction | HostAction | WorkspaceAction

type Need = 'read' | 'edit' | 'owner' | 'collaborator'

const sessionNeeds: Record<SessionAction, Need> = {
  'session.view': 'read',
  'session.send': 'edit',
  'session.interrupt': 'edit',
  'session.shell.open': 'edit',
  'session.shell.watch': 'read',
  'session.files.read': 'read',
  'session.hostfiles': 'edit',
  'session.rename': 'edit',
  'session.share': 'owner',
  'session.leave': 'collaborator',
  'session.delete': 'owner',
  'session.audit': 'owner',
}

const rank: Record<Relation, number> = { none: 0, read: 1, edit: 2, owner: 3 }

export type Decision =
  | { allowed: true }
  | { allowed: false; readonly code: ErrorCode; readonly error: OmniError }

const allow: Decision = { allowed: true }

// The error is made only when an edge asks for it: an Error captures a stack
// trace, which would cost far more than the decision itself (a stream
// re-checking its viewers, for one, only needs to know whether it may stay).
function deny(code: ErrorCode, detail?: string): Decision {
  return {
    allowed: false,
    code,
    get error() {
      return new OmniError(code, detail)
    },
  }
}

/** Whether Omnigent may be used at all. Admins may always reach the switch
 * and the built-in directory; everything else waits for enablement. */
export function decideWorkspace(
  actor: Actor,
  action: WorkspaceAction,
  enabled: boolean,
): Decision {
  if (action === 'workspace.status') return allow
  // The directory belongs to the workspace, not to Omnigent: as with an
  // external issuer, its admins manage people whether Omnigent is on or off.
  if (action === 'workspace.toggle' || action === 'workspace.users.add') {
    return actor.isAdmin ? allow : deny('admin_only')
  }
  // A person's own access tokens: seeing and revoking them is never
  // blocked; making one is using Omnigent.
  if (action === 'token.list' || action === 'token.revoke') return allow
  if (!enabled) return deny('not_enabled')
  if (action === 'workspace.use' || action === 'token.create') return allow
  return actor.isAdmin ? allow : deny('admin_only')
}

export function decideSession(
  relation: Relation,
  action: SessionAction,
): Decision {
  if (relation === 'none') return deny('not_found')

  const need = sessionNeeds[action]
  switch (need) {
    case 'read':
      return allow
    case 'edit':
      return rank[relation] >= rank.edit ? allow : deny('needs_edit')
    case 'owner':
      return relation === 'owner' ? allow : deny('owner_only')
    case 'collaborator':
      return relation === 'owner'
        ? deny('invalid_input', 'The owner cannot leave.')
        : allow
  }
}

/** Hosts are their owner's alone; anyone else is told nothing exists. */
export function decideHost(actor: Actor, ownerId: string): Decision {
  return actor.userId === ownerId ? allow : deny('not_found')
}

/** Whether the actor may serve a host id: a new id is theirs to claim, a
 * known one only if they registered it. The owner learns nothing here that
 * they did not already know, so a taken id is refused openly (409). */
export function decideHostClaim(
  actor: Actor,
  ownerId: string | undefined,
): Decision {
  if (ownerId === undefined || ownerId === actor.userId) return allow
  return deny('host_taken')
}

/** Throws the denial; for edges that turn errors into responses. */
export function enforce(decision: Decision): void {
  if (!decision.allowed) throw decision.error
}

/** What a relation allows a live viewer to do, for downgrading streams. */
export function canSend(relation: Relation): boolean {
  return decideSession(relation, 'session.send').allowed
}
