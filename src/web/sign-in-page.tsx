import { currentPath } from './navigation.ts'
import { signInHref } from './return-to.ts'

export function SignInPage() {
  return (
    <main className="page narrow" data-testid="sign-in-page">
      <h1>Omnigent</h1>
      <p>Sign in with your workspace account to continue.</p>
      <a className="button primary" href={signInHref(currentPath())}>
        Sign in
      </a>
    </main>
  )
}
