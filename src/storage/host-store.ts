// Hosts: machines that run agents, each owned by the user who registered it.
// A host chooses its own id; once registered, nobody else can claim it.

import type { Kysely, Selectable } from 'kysely'
import { OmniError } from '../core/errors.ts'
import { now } from '../core/time.ts'
import type { Database, HostsTable } from './schema.ts'
import { isUniqueViolation } from './unique-violation.ts'

export type HostRow = Selectable<HostsTable>

export interface HostRegistration {
  id: string
  ownerId: string
  name: string
}

/** Any host with this id, removed or not: `removed_at` tells which. */
export async function getHost(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<HostRow | undefined> {
  return await db
    .selectFrom('hosts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** Creates the host, or renames and restores it for the same owner. One
 * statement decides, so of two racing owners exactly one gets the id; the
 * other (and anyone presenting an id the owner already holds) gets
 * `host_taken`. A second live host with the same name is a `conflict`. */
export async function registerHost(
  db: Kysely<Database>,
  workspaceId: string,
  host: HostRegistration,
): Promise<HostRow> {
  let row: HostRow | undefined
  try {
    row = await db
      .insertInto('hosts')
      .values({
        id: host.id,
        workspace_id: workspaceId,
        owner_id: host.ownerId,
        name: host.name,
        created_at: now(),
        last_seen_at: null,
        removed_at: null,
      })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({ name: host.name, removed_at: null })
          .where('hosts.owner_id', '=', host.ownerId)
          .where('hosts.workspace_id', '=', workspaceId),
      )
      .returningAll()
      .executeTakeFirst()
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
    throw new OmniError(
      'conflict',
      `You already have a host named "${host.name}".`,
    )
  }

  if (row === undefined) throw new OmniError('host_taken')
  return row
}

export async function listHostsByOwner(
  db: Kysely<Database>,
  workspaceId: string,
  ownerId: string,
): Promise<HostRow[]> {
  return await db
    .selectFrom('hosts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('owner_id', '=', ownerId)
    .where('removed_at', 'is', null)
    .orderBy('name')
    .execute()
}

export async function findHostByName(
  db: Kysely<Database>,
  workspaceId: string,
  ownerId: string,
  name: string,
): Promise<HostRow | undefined> {
  return await db
    .selectFrom('hosts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('owner_id', '=', ownerId)
    .where('name', '=', name)
    .where('removed_at', 'is', null)
    .executeTakeFirst()
}

export async function touchHost(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<void> {
  await db
    .updateTable('hosts')
    .set({ last_seen_at: now() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute()
}

/** Marks the host removed (its sessions keep pointing at it); returns
 * whether a live host was removed. The owner may register it again. */
export async function removeHost(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<boolean> {
  const result = await db
    .updateTable('hosts')
    .set({ removed_at: now() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
