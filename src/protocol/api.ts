// The HTTP API's bodies, shared by the server, the CLI and the web app.
// Errors are always `ErrorBody` from core/errors.ts.

import type { SessionEvent } from './session-events.ts'

export type AccessLevel = 'owner' | 'edit' | 'read'

/** GET /api/me */
export interface Me {
  email: string
  isAdmin: boolean
  enabled: boolean
}

/** POST /api/me/sign-ins → Me: the CLI says it has just signed in, with
 * the new access token, so the trail records how. Each token reports once. */
export interface CliSignIn {
  method: 'cli' | 'device'
}

/** GET /api/workspace (no sign-in needed): how a client finds the issuer.
 * The CLI signs in against `issuer` as the public client `cliClientId`. */
export interface WorkspaceStatus {
  enabled: boolean
  builtin: boolean
  issuer: string
  cliClientId: string
  /** True on a fresh built-in workspace whose directory has no user yet. */
  needsSetup: boolean
}

/** POST /api/admin/enablement */
export interface SetEnablement {
  enabled: boolean
}

/** GET /api/hosts → Host[] */
export interface Host {
  id: string
  name: string
  online: boolean
  lastSeenAt: string | null
}

/** GET /api/sessions?scope=mine|shared|all → SessionSummary[] */
export interface SessionSummary {
  id: string
  title: string
  owner: string
  host: string
  dir: string
  level: AccessLevel
  createdAt: string
  updatedAt: string
}

export interface Collaborator {
  email: string
  level: AccessLevel
}

/** GET /api/sessions/:id */
export interface SessionDetail extends SessionSummary {
  hostOnline: boolean
  busy: boolean
  collaborators: Collaborator[]
}

/** The longest title a session may have, given or made from its dir. */
export const maxTitleLength = 200

/** POST /api/sessions → SessionDetail (201) */
export interface CreateSession {
  host: string
  dir?: string
  title?: string
}

/** PATCH /api/sessions/:id */
export interface RenameSession {
  title: string
}

/** POST /api/sessions/:id/messages → MessageAccepted (202) */
export interface SendMessage {
  text: string
}

export interface MessageAccepted {
  turnId: string
  seq: number
}

/** GET /api/sessions/:id/events?after=N → SessionEvent[] */
export type EventPage = SessionEvent[]

/** PUT /api/sessions/:id/grants */
export interface PutGrant {
  email: string
  level: 'read' | 'edit'
}

/** POST /api/setup (loopback only, empty directory) and POST /api/users */
export interface NewDirectoryUser {
  email: string
  password: string
  admin?: boolean
}

/** GET /api/audit?session=ID&before=ID&limit=N → AuditEntry[]: the newest
 * `limit` (at most 1,000) entries older than `before`, oldest first. */
export interface AuditEntry {
  /** Orders the trail; pass the first entry's as `before` for the page
   * before it. */
  id: number
  at: string
  actor: string | null
  action: string
  targetType: string
  targetId: string
  sessionId: string | null
  detail: Record<string, unknown>
}

/** The Edit warning every place that grants Edit shows first. */
export const editWarning =
  'Grant Edit carefully. An editor can run shell commands and modify files ' +
  "on the owner's host through the agent, including any action available " +
  'through the Omnigent MCP server. An editor can also view the owner’s ' +
  'other session chats.'

/** POST /api/tokens → CreatedToken (201). `expiresInDays` defaults to 30
 * and may be at most 365. */
export interface CreateToken {
  name?: string
  expiresInDays?: number
}

/** The one answer that holds the secret; it is never shown again. The
 * secret looks like `omni_pat_…` and is sent as `Authorization: Bearer`. */
export interface CreatedToken {
  id: string
  name: string
  token: string
  expiresAt: string
}

/** GET /api/tokens → TokenSummary[] (the caller's live tokens, newest
 * first; never a secret). DELETE /api/tokens/:id → 204 revokes one. */
export interface TokenSummary {
  id: string
  name: string
  createdAt: string
  expiresAt: string
  lastUsedAt: string | null
}

/** POST /auth/logout → 204, or SignedOut when the workspace is an external
 * issuer with an end-session endpoint: the app then sends the browser to
 * `signOutUrl` so the issuer's own sign-in ends too. A form post (Accept:
 * text/html) is redirected there, or home. */
export interface SignedOut {
  signOutUrl?: string
}

/** POST /auth/logout-everywhere (the sign-in cookie, from this server's
 * own pages) → SignedOutEverywhere: every server-side web session of the
 * caller ends. A form post (Accept: text/html) is redirected home, or to
 * the issuer's end-session endpoint as for /auth/logout. */
export interface SignedOutEverywhere extends SignedOut {
  webSessionsEnded: number
}
