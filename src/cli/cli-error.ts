// The CLI's own failure type. Commands throw it for expected failures; main.ts
// prints its message as one line on stderr and exits with its code, never a
// stack trace. Messages never hold a token, password or other secret.

export const exitCodes = {
  general: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  hostTaken: 5,
  /** `omni host`: another host with the same id took over. */
  hostReplaced: 6,
} as const

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes]

export class CliError extends Error {
  readonly exitCode: ExitCode

  constructor(message: string, exitCode: ExitCode = exitCodes.general) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, exitCodes.usage)
}

export function isCliError(value: unknown): value is CliError {
  return value instanceof CliError
}
