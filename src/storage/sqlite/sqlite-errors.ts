// SQLite's extended result codes for the constraints the stores translate
// (https://www.sqlite.org/rescode.html#constraint_primarykey).
const sqliteConstraintPrimaryKey = 1555
const sqliteConstraintUnique = 2067

/** Whether node:sqlite refused a row for a duplicate key. */
export function isSqliteUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const errcode = (error as { errcode?: unknown }).errcode
  return (
    errcode === sqliteConstraintUnique || errcode === sqliteConstraintPrimaryKey
  )
}
