// SQLSTATE 23505 is unique_violation, raised for primary keys as well
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const uniqueViolation = '23505'

/** Whether PostgreSQL refused a row for a duplicate key. */
export function isPostgresUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  return (error as { code?: unknown }).code === uniqueViolation
}
