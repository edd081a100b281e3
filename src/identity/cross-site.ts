// Is a state-changing request from this server's own pages? A browser adds
// the sign-in cookie (or a proxy's sign-in) to requests any site makes, so
// such a request must name our public origin in `Origin` (RFC 6454 §7), or
// in `Referer` when it sent no Origin. An opaque `Origin: null` (sandboxed
// frames, some redirects) names no page of ours and is refused, and so is
// any `Sec-Fetch-Site` other than same-origin. Every cookie and proxy check
// in the server goes through here.

import type { IncomingHttpHeaders } from 'node:http'
import { OmniError } from '../core/errors.ts'
import { judgeOrigin } from '../core/same-origin.ts'

export interface CrossSiteRule {
  /** Refuse a request that names no origin at all. True for cookie-borne
   * requests (our pages always send Origin on a POST); false for a proxy,
   * behind which scripts send none. */
  requireOrigin: boolean
}

export function refuseCrossSite(
  headers: IncomingHttpHeaders,
  publicOrigin: string,
  rule: CrossSiteRule,
): void {
  const fetchSite = first(headers['sec-fetch-site'])
  if (fetchSite !== undefined && fetchSite !== 'same-origin') {
    throw new OmniError('cross_site')
  }

  const verdict = judgeOrigin(
    { origin: first(headers.origin), referer: first(headers.referer) },
    publicOrigin,
  )
  if (verdict === 'same') return
  if (verdict === 'unknown' && !rule.requireOrigin) return
  throw new OmniError('cross_site')
}

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value
  return text === '' ? undefined : text
}
