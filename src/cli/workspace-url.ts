// One spelling per workspace, so that profiles, issuers and the server agree
// on what "the same workspace" means. Plain http is allowed only for this
// machine, where nothing on the network can read the tokens in transit.

import { usageError } from './cli-error.ts'

const example = 'https://omni.example.com or http://127.0.0.1:6767'

export function canonicalWorkspaceUrl(input: string): string {
  const text = input.trim()
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw usageError(`That is not a workspace URL; use one like ${example}.`)
  }

  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw usageError(`That is not a valid URL; use one like ${example}.`)
  }

  checkParts(url, text)

  // URL already lower-cases the scheme and host and drops a default port.
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.protocol}//${url.host}${path}`
}

function checkParts(url: URL, text: string): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(
      `A workspace URL uses https (or http on this machine), not ${url.protocol}, such as https://omni.example.com.`,
    )
  }

  if (url.username || url.password) {
    throw usageError(
      'A workspace URL must not contain a user name or password.',
    )
  }

  if (url.search || url.hash || text.includes('?') || text.includes('#')) {
    throw usageError('A workspace URL has no query or fragment (? or #).')
  }

  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw usageError(
      `Plain http is allowed only for this machine; use https://${url.host}${url.pathname.replace(/\/+$/, '')}.`,
    )
  }
}

/** RFC 6761 localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true
  return /^127(\.\d{1,3}){3}$/.test(host)
}

export function isLoopbackHttpUrl(url: string): boolean {
  const parsed = new URL(url)
  return parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)
}
