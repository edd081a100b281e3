// Whether a process id is in use: the pid files and lock files of the CLI,
// the host and the SQLite claim all ask it of the process that wrote them.

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: alive, but someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
