/** What a member sees while no admin has turned Omnigent on. */
export function NotEnabledPage() {
  return (
    <main className="page narrow" data-testid="not-enabled">
      <p role="alert" className="notice">
        Omnigent is not enabled for this workspace; ask a workspace admin.
      </p>
    </main>
  )
}
