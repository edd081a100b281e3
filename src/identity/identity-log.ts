// Every log line identity writes, in one place so their wording and levels
// can be read together. Server faults at error, a client's failed sign-in at
// info. No line carries a token, cookie, password, code or client secret:
// only ids, reason codes and the error object of a server fault.

import type { Logger } from '../core/log.ts'

export type IdentityLog = ReturnType<typeof identityLog>

export function identityLog(parent: Logger) {
  const log = parent.child({ part: 'identity' })
  return Object.freeze({
    providerFault: (error: unknown) =>
      log.error({ err: error }, 'built-in workspace fault'),
    pageFault: (error: unknown) =>
      log.error({ err: error }, 'sign-in page fault'),
    apiFault: (error: unknown) =>
      log.error({ err: error }, 'directory api fault'),
    issuerUnreachable: (issuer: string, error: unknown) =>
      log.error({ issuer, err: error }, 'workspace issuer unreachable'),
    webSignInFault: (error: unknown) =>
      log.error({ err: error }, 'web sign-in fault'),

    webSignInRefused: (reason: string) =>
      log.info({ reason }, 'web sign-in refused'),
    signInThrottled: () =>
      log.info({ reason: 'too_many_failures' }, 'password sign-in held back'),
    webSignInCompleted: (userId: string) =>
      log.info({ userId }, 'web sign-in completed'),
    firstAdminCreated: (directoryUserId: string, via: 'api' | 'web') =>
      log.info({ directoryUserId, via }, 'first admin created'),
    directoryUserAdded: (directoryUserId: string, by: string) =>
      log.info({ directoryUserId, by }, 'directory user added'),
    cliSignInRecorded: (userId: string, method: 'cli' | 'device') =>
      log.info({ userId, method }, 'cli sign-in recorded'),
    signedOut: (userId: string, method: 'web' | 'cli') =>
      log.info({ userId, method }, 'signed out'),
    signedOutEverywhere: (userId: string, webSessions: number) =>
      log.info({ userId, webSessions }, 'signed out everywhere'),
    accessTokenCreated: (userId: string, tokenId: string, via: string) =>
      log.info({ userId, tokenId, via }, 'access token created'),
    accessTokenRevoked: (userId: string, tokenId: string) =>
      log.info({ userId, tokenId }, 'access token revoked'),
  })
}
