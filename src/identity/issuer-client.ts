// The relying party's view of the workspace issuer, found by OpenID Connect
// Discovery over HTTP at first use, the same way for the built-in workspace
// as for Okta or Entra ID. A failed discovery is retried on the next use.

import * as client from 'openid-client'

export interface IssuerClientOptions {
  issuer: string
  clientId: string
  clientSecret: string
  /** Allow plain http to this issuer. The built-in workspace allows it when
   * the server itself runs on http; otherwise only loopback issuers may. */
  allowHttp?: boolean
}

export type IssuerClient = () => Promise<client.Configuration>

export function lazyIssuerClient(options: IssuerClientOptions): IssuerClient {
  const { issuer, clientId, clientSecret } = Object.freeze({ ...options })
  const url = new URL(issuer)
  const allowHttp = options.allowHttp ?? isLocalHost(url.hostname)
  const execute =
    url.protocol === 'http:' && allowHttp ? [client.allowInsecureRequests] : []

  let pending: Promise<client.Configuration> | undefined
  return function issuerClient() {
    pending ??= client
      .discovery(
        url,
        clientId,
        undefined,
        client.ClientSecretBasic(clientSecret),
        {
          execute,
        },
      )
      .catch((error: unknown) => {
        pending = undefined
        throw error
      })
    return pending
  }
}

function isLocalHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    hostname.startsWith('127.')
  )
}
