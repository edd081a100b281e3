// How the app words and uses a viewer's level. The server decides every
// action; these only choose which controls to offer.

import type { AccessLevel } from '../protocol/api.ts'

export function levelLabel(level: AccessLevel): string {
  if (level === 'owner') return 'Owner'
  return level === 'edit' ? 'Edit' : 'Read'
}

/** Send, interrupt and rename need Edit or ownership. */
export function canEdit(level: AccessLevel | null): boolean {
  return level === 'owner' || level === 'edit'
}
