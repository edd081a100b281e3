// A fresh built-in workspace has no users, so its first admin is created
// without signing in, by someone at the server machine itself. Both the web
// setup form and POST /api/setup come through here.

import type { Kysely } from 'kysely'
import { OmniError } from '../core/errors.ts'
import type { Database } from '../storage/schema.ts'
import {
  addDirectoryUser,
  isDirectoryEmpty,
  type DirectoryUser,
} from './directory.ts'
import { isLoopbackAddress } from './loopback.ts'

export interface FirstAdmin {
  email: string
  password: string
}

export type CreateFirstAdmin = (
  admin: FirstAdmin,
  remoteAddress: string | undefined,
) => Promise<DirectoryUser>

/** Setup is open only while the directory is empty and only to a caller on
 * this machine (the socket's address, never a forwarded header). */
export async function checkSetupOpen(
  db: Kysely<Database>,
  workspaceId: string,
  remoteAddress: string | undefined,
): Promise<void> {
  if (!(await isDirectoryEmpty(db, workspaceId))) {
    throw new OmniError('setup_closed')
  }
  if (!isLoopbackAddress(remoteAddress)) throw new OmniError('setup_not_local')
}

export function firstAdminCreator(
  db: Kysely<Database>,
  workspaceId: string,
): CreateFirstAdmin {
  // Two setup requests at once must not both find the directory empty.
  let queue: Promise<unknown> = Promise.resolve()

  return function createFirstAdmin(admin, remoteAddress) {
    const run = queue.then(async () => {
      await checkSetupOpen(db, workspaceId, remoteAddress)
      return await addDirectoryUser(db, workspaceId, { ...admin, admin: true })
    })
    queue = run.catch(() => undefined)
    return run
  }
}
