import type { Me } from '../protocol/api.ts'
import { Link } from './link.tsx'

export function Header(props: {
  me: Me
  showNav: boolean
  onSignOut: () => void
}) {
  const { me, showNav } = props

  return (
    <header className="header">
      <Link to="/" className="brand">
        Omnigent
      </Link>

      {showNav && (
        <nav aria-label="Main">
          <Link to="/">Sessions</Link>
          <Link to="/hosts">Hosts</Link>
          {me.isAdmin && <Link to="/admin">Admin</Link>}
        </nav>
      )}

      <span className="who" data-testid="signed-in-email">
        {me.email}
      </span>
      <button type="button" onClick={props.onSignOut}>
        Sign out
      </button>
    </header>
  )
}
