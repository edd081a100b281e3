// Best effort: the URL is always printed as well, so a missing or failing
// browser only costs a copy and paste. The URL is passed as one argument to
// a spawned program, never through a shell, so nothing in it is interpreted.

import { spawn } from 'node:child_process'

export function openBrowser(url: string, env = process.env): void {
  const command = env.BROWSER ?? defaultOpener()
  if (!command || command === 'none') return

  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true })
    child.on('error', () => {})
    child.unref()
  } catch {
    // The printed URL is the fallback.
  }
}

function defaultOpener(): string {
  if (process.platform === 'darwin') return 'open'
  if (process.platform === 'win32') return ''
  return 'xdg-open'
}
