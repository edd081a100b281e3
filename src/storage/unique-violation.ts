import { isPostgresUniqueViolation } from './postgres/postgres-errors.ts'
import { isSqliteUniqueViolation } from './sqlite/sqlite-errors.ts'

/** Whether either backend refused a row because a key is already taken. */
export function isUniqueViolation(error: unknown): boolean {
  return isSqliteUniqueViolation(error) || isPostgresUniqueViolation(error)
}
