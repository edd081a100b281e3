// How the app words and uses a viewer's level. The server decides every
// action; these only choose which controls to offer.

import type { AccessLevel, Collaborator } from '../protocol/api.ts'

export function levelLabel(level: AccessLevel): string {
  if (level === 'owner') return 'Owner'
  return level === 'edit' ? 'Edit' : 'Read'
}

/** Send, interrupt and rename need Edit or ownership. */
export function canEdit(level: AccessLevel | null): boolean {
  return level === 'owner' || level === 'edit'
}

/** The people list with the viewer's own row at the level their follow
 * stream announced, which arrives before a re-read of the session does, so
 * "Your access" and the viewer's badge never disagree. */
export function withViewerLevel(
  collaborators: readonly Collaborator[],
  viewer: string,
  level: AccessLevel,
): Collaborator[] {
  return collaborators.map((person) =>
    person.email === viewer && person.level !== 'owner' && level !== 'owner'
      ? { ...person, level }
      : person,
  )
}
