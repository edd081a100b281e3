// Best effort: the URL is always printed as well, so a missing or failing
// browser only costs a copy and paste. The URL is passed as one argument to
// a spawned program, never through a shell, so nothing in it is interpreted.

import { spawn } from 'node:child_process'

/** Whether this machine can show a browser at all: BROWSER names one, or a
 * desktop runs here. On Linux that means an X11 or Wayland display; over
 * SSH or in a container there is none, and the device flow fits better. */
export function browserAvailable(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (env.BROWSER) return true
  if (platform === 'darwin' || platform === 'win32') return true
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
}

/** How long a browser command has to fail before it counts as launched:
 * openers return at once, but a browser itself runs until it is closed. */
const launchGraceMs = 1500

/** Starts the browser; resolves false when its command is missing or
 * exits with an error, true otherwise. BROWSER=none opens nothing. */
export function openBrowser(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const command = env.BROWSER ?? defaultOpener()
  if (command === 'none') return Promise.resolve(true)
  if (!command) return Promise.resolve(false)

  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), launchGraceMs).unref()
    const settle = (ok: boolean) => {
      clearTimeout(timer)
      resolve(ok)
    }
    try {
      const child = spawn(command, [url], { stdio: 'ignore', detached: true })
      child.on('error', () => settle(false))
      child.on('exit', (code) => settle(code === 0))
      child.unref()
    } catch {
      settle(false)
    }
  })
}

function defaultOpener(): string {
  if (process.platform === 'darwin') return 'open'
  if (process.platform === 'win32') return ''
  return 'xdg-open'
}
