// The tables, as Kysely sees them. Both backends (SQLite and PostgreSQL) hold
// exactly these columns. Times are ISO-8601 UTC strings so that both backends
// return the same JavaScript type; booleans are 0/1 integers for the same
// reason. Every row carries workspace_id so one server can later serve
// several workspaces.

import type { Generated } from 'kysely'

export type Level = 'read' | 'edit'

export interface SettingsTable {
  workspace_id: string
  key: string
  value: string
  updated_at: string
}

/** A person as the workspace knows them: keyed by (issuer, subject). */
export interface UsersTable {
  id: string
  workspace_id: string
  issuer: string
  subject: string
  email: string
  email_verified: number
  is_admin: number
  created_at: string
  last_seen_at: string
}

/** The built-in workspace's own user directory. */
export interface DirectoryUsersTable {
  id: string
  workspace_id: string
  email: string
  password_hash: string
  is_admin: number
  created_at: string
}

/** oidc-provider's models (sessions, grants, codes, tokens, interactions). */
export interface OidcPayloadsTable {
  model: string
  id: string
  payload: string
  grant_id: string | null
  user_code: string | null
  uid: string | null
  expires_at: string | null
  consumed_at: string | null
}

/** Relying-party state of a web sign-in in flight; read once, then deleted. */
export interface LoginStatesTable {
  state: string
  workspace_id: string
  nonce: string
  code_verifier: string
  return_to: string
  created_at: string
}

/** Server-side web sign-in sessions; the cookie holds a token whose SHA-256
 * is `id`, so a database read never yields a usable cookie. */
export interface WebSessionsTable {
  id: string
  workspace_id: string
  user_id: string
  created_at: string
  expires_at: string
  revoked_at: string | null
}

/** Personal access tokens: `token_hash` is the SHA-256 of the secret the
 * person was shown once. */
export interface AccessTokensTable {
  id: string
  workspace_id: string
  user_id: string
  name: string
  token_hash: string
  created_at: string
  expires_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface HostsTable {
  id: string
  workspace_id: string
  owner_id: string
  name: string
  created_at: string
  last_seen_at: string | null
  removed_at: string | null
}

export interface SessionsTable {
  id: string
  workspace_id: string
  owner_id: string
  host_id: string
  dir: string
  title: string
  created_at: string
  updated_at: string
}

/** A share. `email` is lower-cased; `user_id` is null until that person
 * first signs in with a verified email. The owner never has a row. */
export interface GrantsTable {
  id: string
  workspace_id: string
  session_id: string
  email: string
  user_id: string | null
  level: Level
  created_at: string
  created_by: string
}

/** The session's event log: appended with a per-session sequence number
 * before anyone is shown the event. */
export interface EventsTable {
  workspace_id: string
  session_id: string
  seq: number
  turn_id: string | null
  kind: string
  author_id: string | null
  payload: string
  created_at: string
}

export interface AuditTable {
  id: Generated<number>
  workspace_id: string
  at: string
  actor_id: string | null
  actor_email: string | null
  action: string
  target_type: string
  target_id: string
  session_id: string | null
  detail: string
}

export interface Database {
  settings: SettingsTable
  users: UsersTable
  directory_users: DirectoryUsersTable
  oidc_payloads: OidcPayloadsTable
  login_states: LoginStatesTable
  web_sessions: WebSessionsTable
  access_tokens: AccessTokensTable
  hosts: HostsTable
  sessions: SessionsTable
  grants: GrantsTable
  events: EventsTable
  audit: AuditTable
}
