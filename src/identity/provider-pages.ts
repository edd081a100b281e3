// The pages oidc-provider renders itself (device code entry and
// confirmation, sign-out, errors), in the same plain style as the sign-in
// form. oidc-provider hands over its own forms (with their CSRF field) as
// HTML; everything else is escaped here.

import type { KoaContextWithOIDC } from 'oidc-provider'
import { html, page, raw } from './html.ts'

type Ctx = KoaContextWithOIDC

function send(ctx: Ctx, title: string, body: ReturnType<typeof html>): void {
  ctx.type = 'html'
  ctx.body = page(title, body)
}

export function userCodeInputSource(
  ctx: Ctx,
  form: string,
  _out?: unknown,
  error?: Error,
): void {
  const wrongCode =
    error !== undefined && ('userCode' in error || error.name === 'NoCodeError')
  const message = wrongCode
    ? html`<p class="error">That code is not valid. Check it and try again.</p>`
    : error !== undefined
      ? html`<p class="error">The sign-in could not continue. Try again.</p>`
      : html`<p class="note">Enter the code your terminal shows.</p>`

  send(
    ctx,
    'Connect a device',
    html`<h1>Connect a device</h1>
      ${message}${raw(form)}
      <button type="submit" form="op.deviceInputForm">Continue</button>`,
  )
}

export function userCodeConfirmSource(
  ctx: Ctx,
  form: string,
  _client: unknown,
  _deviceInfo: unknown,
  userCode: string,
): void {
  send(
    ctx,
    'Confirm the device',
    html`<h1>Confirm the device</h1>
      <p>Your terminal should show this code:</p>
      <p><code>${userCode}</code></p>
      <p class="note">
        If it does not, or you did not start this sign-in, abort.
      </p>
      ${raw(form)}
      <button type="submit" form="op.deviceConfirmForm">Continue</button>
      <button
        class="secondary"
        type="submit"
        form="op.deviceConfirmForm"
        name="abort"
        value="yes"
      >
        Abort
      </button>`,
  )
}

export function deviceSuccessSource(ctx: Ctx): void {
  send(
    ctx,
    'Device connected',
    html`<h1>Device connected</h1>
      <p>You are signed in on your device. You can close this page.</p>`,
  )
}

export function logoutSource(ctx: Ctx, form: string): void {
  send(
    ctx,
    'Sign out',
    html`<h1>Sign out of the workspace?</h1>
      ${raw(form)}
      <button type="submit" form="op.logoutForm" name="logout" value="yes">
        Sign out
      </button>
      <button class="secondary" type="submit" form="op.logoutForm">
        Stay signed in
      </button>`,
  )
}

export function postLogoutSuccessSource(ctx: Ctx): void {
  send(
    ctx,
    'Signed out',
    html`<h1>Signed out</h1>
      <p>You are signed out.</p>`,
  )
}

export function renderError(
  ctx: Ctx,
  out: { error?: string; error_description?: string },
): void {
  send(
    ctx,
    'Sign-in problem',
    html`<h1>Sign-in problem</h1>
      <p class="error">
        ${out.error_description ?? out.error ?? 'Unknown error'}
      </p>
      <p class="note"><a href="/">Start again</a></p>`,
  )
}
