// Trusted reverse-proxy mode: a workspace's own proxy (a Databricks App's,
// oauth2-proxy) signs people in and forwards who they are in headers. Such
// headers are believed only from the configured proxy: from one of its
// addresses (the socket's, never a forwarded one) and, when a shared secret
// is set, with that secret. From anyone else they are refused outright, not
// ignored, so a mistake in the deployment shows at once.

import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { OmniError } from '../core/errors.ts'
import type { Identity } from '../storage/user-store.ts'
import type { ProxySettings } from './identity-config.ts'
import { refuseCrossSite } from './cross-site.ts'
import { parseAddressList } from './proxy-addresses.ts'

/** Headers that claim an identity, whether or not a proxy is configured. */
const wellKnownHeaders = [
  'x-forwarded-email',
  'x-forwarded-user',
  'x-forwarded-preferred-username',
  'x-forwarded-groups',
]

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export type ProxyIdentity = (request: IncomingMessage) => Identity | undefined

export function createProxyIdentity(
  settings: ProxySettings | undefined,
  publicUrl: string,
): ProxyIdentity {
  const publicOrigin = new URL(publicUrl).origin
  const headers = new Set(wellKnownHeaders)
  if (settings === undefined) {
    return function refuseIdentityHeaders(request) {
      if (!carriesAny(request, headers)) return undefined
      throw new OmniError(
        'proxy_untrusted',
        'This server takes no identity from request headers (X-Forwarded-Email and the like); remove them or configure the trusted proxy.',
      )
    }
  }

  for (const name of [
    settings.subjectHeader,
    settings.emailHeader,
    settings.preferredUsernameHeader,
    settings.groupsHeader,
  ]) {
    headers.add(name)
  }
  const fromProxyAddress =
    settings.trustedAddresses.length > 0
      ? parseAddressList(settings.trustedAddresses)
      : () => true
  const secret =
    settings.sharedSecret === undefined
      ? undefined
      : digest(settings.sharedSecret)

  function trusted(request: IncomingMessage): boolean {
    if (!fromProxyAddress(request.socket?.remoteAddress)) return false
    if (secret === undefined) return true

    const sent = single(request, settings!.secretHeader)
    // Comparing fixed-length digests keeps the time independent of where
    // the first wrong character is, and of the secret's length.
    return sent !== undefined && timingSafeEqual(digest(sent), secret)
  }

  return function proxyIdentity(request) {
    if (!carriesAny(request, headers)) return undefined
    if (!trusted(request)) throw new OmniError('proxy_untrusted')
    // The proxy's sign-in rides along on any request the browser makes,
    // like a cookie; scripts behind the proxy send no Origin and pass.
    if (stateChanging.has(request.method ?? 'GET')) {
      refuseCrossSite(request.headers, publicOrigin, { requireOrigin: false })
    }

    return identityFrom(request, settings!)
  }
}

function identityFrom(
  request: IncomingMessage,
  settings: ProxySettings,
): Identity {
  const email =
    single(request, settings.emailHeader) ??
    single(request, settings.preferredUsernameHeader)
  if (email === undefined || !email.includes('@')) {
    throw new OmniError(
      'email_unverified',
      'Your workspace did not share your email address.',
    )
  }

  const subject = single(request, settings.subjectHeader) ?? email
  const groups = (single(request, settings.groupsHeader) ?? '')
    .split(',')
    .map((group) => group.trim())
  return {
    issuer: settings.issuer,
    subject,
    email: email.toLowerCase(),
    emailVerified: true,
    isAdmin: groups.includes(settings.adminGroup),
  }
}

function carriesAny(request: IncomingMessage, names: Set<string>): boolean {
  for (const name of names) {
    if (request.headers[name] !== undefined) return true
  }
  return false
}

function single(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  const text = Array.isArray(value) ? value[0] : value
  const trimmed = text?.trim()
  return trimmed ? trimmed : undefined
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
