// A real browser for web app tests: Debian's Chromium driven by
// playwright-core. Each person gets their own browser context (their own
// cookies and storage, like a separate browser profile), and every open page
// can be photographed when a test fails.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
} from 'playwright-core'
import { tempDir } from './processes.ts'

export const chromiumPath = '/usr/bin/chromium'

// Without the background-networking flags Chromium dials out to Google's
// services at start-up; on a closed network those connections are refused and
// slow every launch.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface PersonPage {
  name: string
  context: BrowserContext
  page: Page
}

export class TestBrowser {
  readonly #browser: Browser
  readonly #people: PersonPage[] = []

  private constructor(browser: Browser) {
    this.#browser = browser
  }

  /** Launches Chromium with a fresh, empty profile (playwright-core gives
   * every launch its own temporary user-data-dir and deletes it on close). */
  static async launch(): Promise<TestBrowser> {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `no Chromium at ${chromiumPath}; install Debian's chromium: ` +
          'apt-get install chromium',
      )
    }
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: chromiumArgs,
    })
    return new TestBrowser(browser)
  }

  /** A new person at their own browser: an isolated context and one tab. */
  async person(name: string): Promise<PersonPage> {
    const context = await this.#browser.newContext({
      viewport: { width: 1100, height: 900 },
    })
    context.setDefaultTimeout(15_000)
    const page = await context.newPage()
    const person = { name, context, page }
    this.#people.push(person)
    return person
  }

  /** Saves a full-page PNG of every person's tab and returns the paths. */
  async screenshots(label: string): Promise<string[]> {
    const dir = tempDir('screenshots')
    const slug = label.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
    const paths: string[] = []
    for (const { name, page } of this.#people) {
      if (page.isClosed()) continue
      const path = join(dir, `${slug}-${name}.png`)
      try {
        await page.screenshot({ path, fullPage: true, timeout: 5_000 })
        paths.push(path)
      } catch {
        // A tab that cannot be drawn any more has nothing to show.
      }
    }
    return paths
  }

  async close(): Promise<void> {
    await this.#browser.close()
  }
}
