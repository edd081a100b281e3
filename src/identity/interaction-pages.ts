// The sign-in and first-admin forms the built-in workspace shows during an
// OIDC interaction.

import { html, page } from './html.ts'

export interface FormPage {
  action: string
  email?: string
  error?: string
}

export function loginPage({ action, email = '', error }: FormPage): string {
  return page(
    'Sign in',
    html`<h1>Sign in to your workspace</h1>
      ${errorLine(error)}
      <form method="post" action="${action}">
        <label for="email">Email</label>
        <input
          id="email"
          type="email"
          name="email"
          value="${email}"
          autocomplete="username"
          required
          autofocus
        />
        <label for="password">Password</label>
        <input
          id="password"
          type="password"
          name="password"
          autocomplete="current-password"
          required
        />
        <button type="submit">Sign in</button>
      </form>`,
  )
}

export function setupPage({ action, email = '', error }: FormPage): string {
  return page(
    'Set up the first admin',
    html`<h1>Set up the first admin</h1>
      <p class="note">
        This workspace has no users yet. The account you create here becomes its
        first workspace admin.
      </p>
      ${errorLine(error)}
      <form method="post" action="${action}">
        <label for="email">Email</label>
        <input
          id="email"
          type="email"
          name="email"
          value="${email}"
          autocomplete="username"
          required
          autofocus
        />
        <label for="password">Password (at least 8 characters)</label>
        <input
          id="password"
          type="password"
          name="password"
          autocomplete="new-password"
          minlength="8"
          required
        />
        <button type="submit">Create admin and sign in</button>
      </form>`,
  )
}

export function expiredPage(): string {
  return page(
    'Sign-in expired',
    html`<h1>This sign-in has expired</h1>
      <p class="error">
        The sign-in page was open too long or was already used.
      </p>
      <p class="note"><a href="/">Start again</a></p>`,
  )
}

export function faultPage(): string {
  return page(
    'Sign-in problem',
    html`<h1>Something went wrong</h1>
      <p class="error">The server could not finish this step.</p>
      <p class="note"><a href="/">Start again</a></p>`,
  )
}

function errorLine(error: string | undefined) {
  return error === undefined ? html`` : html`<p class="error">${error}</p>`
}
