// The loopback redirect of a native app (RFC 8252 §7.3): a one-shot HTTP
// server on 127.0.0.1 and an ephemeral port, waiting for the browser to come
// back to /callback with the authorization response.

import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LoopbackRedirect {
  redirectUri: string
  /** Resolves with the callback URL once the browser returns with the
   * expected state; `finish` then answers the browser. */
  callback: Promise<URL>
  finish(outcome: { ok: true } | { ok: false; reason: string }): void
  close(): void
}

export async function startLoopbackRedirect(
  expectedState: string,
): Promise<LoopbackRedirect> {
  let deliver!: (url: URL) => void
  const callback = new Promise<URL>((resolve) => (deliver = resolve))
  let pending: ServerResponse | undefined

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    if (url.pathname !== '/callback' || pending) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
      return
    }

    // A stray or forged request without our state must not end the sign-in.
    if (url.searchParams.get('state') !== expectedState) {
      page(
        response,
        400,
        'This sign-in link is not the one omni is waiting for.',
      )
      return
    }

    pending = response
    deliver(new URL(`${redirectUri}${url.search}`))
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const redirectUri = `http://127.0.0.1:${port}/callback`

  return {
    redirectUri,
    callback,
    finish(outcome) {
      if (!pending) return
      if (outcome.ok) {
        page(
          pending,
          200,
          'You are signed in to Omnigent. You can close this tab.',
        )
      } else {
        page(pending, 400, `Sign-in failed: ${outcome.reason}`)
      }
    },
    close() {
      // Idle only: the final page is still being written on its connection.
      server.close()
      server.closeIdleConnections()
    },
  }
}

function page(response: ServerResponse, status: number, text: string): void {
  const body =
    '<!doctype html><meta charset="utf-8"><title>Omnigent sign-in</title>' +
    `<p style="font:16px system-ui;margin:3em">${escapeHtml(text)}</p>`
  response
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'close',
    })
    .end(body)
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
