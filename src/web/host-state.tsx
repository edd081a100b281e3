export function HostState({ online }: { online: boolean }) {
  return (
    <span
      className={online ? 'badge online' : 'badge offline'}
      data-testid="host-state"
    >
      {online ? 'online' : 'offline'}
    </span>
  )
}
