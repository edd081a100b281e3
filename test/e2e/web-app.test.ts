// The web app in a real browser against the real product: the server on its
// built-in workspace serving dist/web, alice's host daemon, and a scripted
// model server. Everything a person does here goes through the UI; the API is
// only read to prove what the UI did (or did not) send.
//
// Run alone after `npm run build:web`; `npm test` builds it first.

import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import type { Page, Request } from 'playwright-core'
import { TestBrowser, type PersonPage } from '../support/browser.ts'
import { tempDir, type Proc } from '../support/processes.ts'
import {
  Person,
  startProduct,
  type RunningProduct,
} from '../support/product.ts'
import {
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/scripted-model-server.ts'

const modelKey = 'sk-test-web-app-key-0123456789'
const notEnabled =
  'Omnigent is not enabled for this workspace; ask a workspace admin.'

describe('the web app in a real browser', () => {
  let product: RunningProduct
  let model: ScriptedModelServer
  let browser: TestBrowser
  let alice: Person
  let bob: Person
  let carol: Person
  let aliceHost: Proc | undefined
  let aliceTab: PersonPage
  let bobTab: PersonPage
  let sessionId = ''

  before(async () => {
    // One at a time, so `after` can stop whatever did start.
    browser = await TestBrowser.launch()
    model = await startScriptedModelServer({ apiKey: modelKey, script: [] })
    product = await startProduct()
    alice = new Person(product.url, 'alice@example.com', 'alice-password-1')
    bob = new Person(product.url, 'bob@example.com', 'bob-password-12')
    carol = new Person(product.url, 'carol@example.com', 'carol-password-1')
    aliceTab = await browser.person('alice')
    bobTab = await browser.person('bob')
  })

  afterEach(async (t) => {
    // Node sets `passed` on every test context; @types/node declares it on
    // suites only.
    if (!('passed' in t) || t.passed) return
    const paths = await browser.screenshots(t.name)
    console.log(`screenshots of "${t.name}":\n  ${paths.join('\n  ')}`)
  })

  after(async () => {
    await browser?.close()
    await aliceHost?.stop()
    await product?.stop()
    await model?.close()
  })

  test('on a fresh install the first sign-in sets up the first admin', async () => {
    const { page } = aliceTab
    await page.goto(product.url)
    await page.getByTestId('sign-in-page').waitFor()
    await page.getByRole('link', { name: 'Sign in' }).click()

    await page
      .getByRole('heading', { name: 'Set up the first admin' })
      .waitFor()
    await page.getByLabel('Email').fill(alice.email)
    await page.getByLabel(/^Password/).fill(alice.password)
    await page.getByRole('button', { name: 'Create admin and sign in' }).click()

    await waitForText(page.getByTestId('signed-in-email'), alice.email)
    assert.equal(new URL(page.url()).origin, product.url)
  })

  test('members are told Omnigent is off until the admin flips the switch', async () => {
    const toggle = aliceTab.page.getByRole('switch', {
      name: 'Enable Omnigent for this workspace',
    })
    await aliceTab.page.getByTestId('admin-page').waitFor()
    assert.equal(await toggle.isChecked(), false)

    await alice.login()
    for (const person of [bob, carol]) {
      const added = await alice.omni(['users', 'add', person.email], {
        OMNI_PASSWORD: person.password,
      })
      assert.equal(added.code, 0, added.stderr)
    }

    await signIn(bobTab.page, product.url, bob)
    await waitForText(bobTab.page.getByTestId('not-enabled'), notEnabled)
    assert.equal(await bobTab.page.getByTestId('sessions-page').count(), 0)

    // Once on, "/" is the sessions page again; the switch stays on /admin.
    await toggle.click()
    await aliceTab.page.getByTestId('sessions-page').waitFor()
    await aliceTab.page.getByRole('link', { name: 'Admin' }).click()
    await waitFor(() => toggle.isChecked(), 'the switch to show on')

    await bobTab.page.reload()
    await bobTab.page.getByTestId('sessions-page').waitFor()
  })

  test('alice creates a session on her online host and watches a turn live', async () => {
    const { page } = aliceTab
    await page.getByRole('link', { name: 'Sessions', exact: true }).click()
    await waitForText(
      page.getByTestId('sessions-page'),
      'You have no hosts yet.',
    )
    await markPage(page)

    // The host comes online while the page is open and shows up without a
    // reload (regression: the list was read once, so it never appeared).
    aliceHost = alice.startHost({
      OMNI_MODEL_BASE_URL: model.baseUrl,
      OMNI_MODEL: 'scripted',
      OMNI_MODEL_API_KEY: modelKey,
    })
    await aliceHost.waitFor(/connected/i)
    const host = page.getByLabel('Host')
    await waitForText(host.locator('option:checked'), 'laptop (online)')
    await assertNotReloaded(page)
    await page.getByLabel('Directory').fill(tempDir('web-work'))
    await page.getByLabel('Title').fill('Web journey')
    await page.getByRole('button', { name: 'Create session' }).click()

    await page.waitForURL(/\/sessions\/s_[a-z0-9]+$/)
    sessionId = new URL(page.url()).pathname.split('/').pop() ?? ''
    await waitForText(page.getByTestId('session-title'), 'Web journey')

    model.push(
      {
        delayMs: 200,
        toolCalls: [
          { name: 'run_command', arguments: { command: 'echo from-the-web' } },
        ],
      },
      { delayMs: 200, content: 'The command printed from-the-web.' },
    )
    await send(page, 'Run the echo, please.')

    const transcript = page.getByTestId('transcript')
    const message = transcript.locator('[data-kind="message"]')
    await waitForText(message.getByTestId('author'), alice.email)
    await waitForText(message, 'Run the echo, please.')
    const tool = transcript.locator('[data-kind="tool.call"]')
    await waitForText(tool, 'run_command')
    await waitForText(tool.getByTestId('tool-state'), 'done')
    await tool.locator('summary').click()
    await waitForText(tool.locator('[data-kind="tool.result"]'), 'from-the-web')
    await waitForText(
      transcript.locator('[data-kind="assistant.text"]'),
      'The command printed from-the-web.',
    )
    await assertNotReloaded(page)
  })

  test('bob follows a Read share live, without a message box', async () => {
    const { page } = aliceTab
    const bobPage = bobTab.page
    await markPage(bobPage)
    await page.getByRole('button', { name: 'Share', exact: true }).click()
    const dialog = page.getByTestId('share-dialog')
    await dialog.getByLabel('Email').fill(bob.email)
    assert.equal(await dialog.getByLabel('Level').inputValue(), 'read')
    await dialog.getByRole('button', { name: 'Share', exact: true }).click()
    await dialog
      .locator(`[data-testid="grant-row"][data-email="${bob.email}"]`)
      .waitFor()

    // The share reaches bob's open list without a reload.
    const row = bobPage
      .getByTestId('shared-sessions')
      .locator(`[data-testid="session-row"][data-session-id="${sessionId}"]`)
    await row.getByRole('link', { name: 'Web journey' }).click()
    await waitForLevel(bobPage, 'read')
    await waitForText(
      bobPage.getByTestId('transcript').locator('[data-kind="assistant.text"]'),
      'The command printed from-the-web.',
    )
    await bobPage.getByTestId('read-only-notice').waitFor()
    assert.equal(await bobPage.getByLabel('Message').count(), 0)

    model.push({ delayMs: 100, content: 'A second answer, for everyone.' })
    await send(page, 'Say something for bob.')
    const bobTranscript = bobPage.getByTestId('transcript')
    await waitForText(bobTranscript, 'Say something for bob.')
    await waitForText(bobTranscript, 'A second answer, for everyone.')
    await assertNotReloaded(bobPage)
  })

  test('raising bob to Edit warns first and gives him the message box live', async () => {
    const { page } = aliceTab
    const grantPuts: Request[] = []
    page.on('request', (request) => {
      if (request.method() === 'PUT' && request.url().endsWith('/grants')) {
        grantPuts.push(request)
      }
    })

    const row = page.locator(
      `[data-testid="grant-row"][data-email="${bob.email}"]`,
    )
    await row.getByLabel(`Level for ${bob.email}`).selectOption('edit')
    await waitForText(row.getByTestId('edit-warning'), 'Grant Edit carefully')
    assert.equal(grantPuts.length, 0)
    assert.equal(await grantLevel(page, product.url, sessionId, bob), 'read')

    const bobPage = bobTab.page
    await recordBadgeWhenMessageBoxAppears(bobPage, bob.email)
    await row.getByRole('button', { name: 'Grant Edit' }).click()
    await waitFor(
      async () =>
        (await grantLevel(page, product.url, sessionId, bob)) === 'edit',
      'the grant to become Edit',
    )
    assert.equal(grantPuts.length, 1)

    await waitForLevel(bobPage, 'edit')
    await bobPage.getByLabel('Message').waitFor()
    // Regression: his own badge said Read until the session was read again.
    assert.equal(await badgeWhenMessageBoxAppeared(bobPage), 'edit')
    assert.equal(await bobPage.getByTestId('read-only-notice').count(), 0)
    await assertNotReloaded(bobPage)

    model.push({ delayMs: 100, content: 'Hello bob.' })
    await send(bobPage, 'Hi, this is bob.')
    const bobMessage = page
      .getByTestId('transcript')
      .locator('[data-kind="message"]', { hasText: 'Hi, this is bob.' })
    await waitForText(bobMessage.getByTestId('author'), bob.email)
    await waitForText(page.getByTestId('transcript'), 'Hello bob.')
  })

  test('revoking bob ends his view within a second', async () => {
    const { page } = aliceTab
    const revoked = page.waitForResponse(
      (response) =>
        response.request().method() === 'DELETE' &&
        response.url().includes('/grants/'),
    )
    await page.getByRole('button', { name: `Revoke ${bob.email}` }).click()
    assert.equal((await revoked).status() < 300, true)

    const ended = bobTab.page.getByTestId('follow-ended')
    await ended.waitFor({ timeout: 1_000 })
    assert.equal(await ended.getAttribute('data-code'), '4404')
    await waitForText(ended, 'You no longer have access to this session.')
    assert.equal(await bobTab.page.getByLabel('Message').count(), 0)

    // Regression: the page went on saying "Edit" and offering Leave.
    await waitForText(bobTab.page.getByTestId('my-level'), 'No access')
    const people = bobTab.page.getByTestId('collaborators')
    assert.equal(await people.locator(`[data-email="${bob.email}"]`).count(), 0)
    assert.equal(
      await bobTab.page.getByRole('button', { name: 'Leave' }).count(),
      0,
    )
  })

  test('carol, with no grant, finds nothing at the session URL', async () => {
    const carolTab = await browser.person('carol')
    await signIn(carolTab.page, product.url, carol)
    await carolTab.page.getByTestId('sessions-page').waitFor()

    await carolTab.page.goto(`${product.url}/sessions/${sessionId}`)
    const alert = carolTab.page.getByTestId('session-page').getByRole('alert')
    await waitForText(
      alert,
      'This session does not exist, or it is not shared with you.',
    )
    assert.equal(await alert.getAttribute('data-code'), 'not_found')
    assert.equal(await carolTab.page.getByTestId('transcript').count(), 0)
    assert.equal(await carolTab.page.getByText('Web journey').count(), 0)
  })

  test('signing out returns to the sign-in page and ends the cookie', async () => {
    const { page, context } = aliceTab
    const cookie = (await context.cookies(product.url))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ')
    const before = await fetch(`${product.url}/api/me`, { headers: { cookie } })
    assert.equal(before.status, 200)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByTestId('sign-in-page').waitFor()
    assert.equal(await page.getByTestId('signed-in-email').count(), 0)

    const afterwards = await fetch(`${product.url}/api/me`, {
      headers: { cookie },
    })
    assert.equal(afterwards.status, 401)
    assert.equal((await afterwards.json()).error.code, 'unauthenticated')
  })
})

/** Signs in through the app's button and the workspace's password form. */
async function signIn(page: Page, url: string, person: Person): Promise<void> {
  await page.goto(url)
  await page.getByRole('link', { name: 'Sign in' }).click()
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await waitForText(page.getByTestId('signed-in-email'), person.email)
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text)
  await page.getByRole('button', { name: 'Send' }).click()
}

/** Notes the viewer's own level badge at the moment the message box first
 * appears, so a test can tell whether the two ever disagreed. */
async function recordBadgeWhenMessageBoxAppears(
  page: Page,
  email: string,
): Promise<void> {
  await page.evaluate((viewer) => {
    const state = window as unknown as { badgeAtMessageBox?: string }
    const observer = new MutationObserver(() => {
      if (!document.querySelector('textarea[name="message"]')) return
      const own = document.querySelector(
        `[data-testid="collaborator"][data-email="${viewer}"]`,
      )
      state.badgeAtMessageBox = own?.getAttribute('data-level') ?? 'missing'
      observer.disconnect()
    })
    observer.observe(document.body, { childList: true, subtree: true })
  }, email)
}

async function badgeWhenMessageBoxAppeared(page: Page): Promise<unknown> {
  return await page.evaluate(
    () =>
      (window as unknown as { badgeAtMessageBox?: string }).badgeAtMessageBox,
  )
}

/** The grant level as the server holds it, read with the tab's own cookie. */
async function grantLevel(
  page: Page,
  url: string,
  sessionId: string,
  person: Person,
): Promise<string | undefined> {
  const response = await page.request.get(`${url}/api/sessions/${sessionId}`)
  assert.equal(response.status(), 200)
  const detail = (await response.json()) as {
    collaborators: Array<{ email: string; level: string }>
  }
  return detail.collaborators.find((c) => c.email === person.email)?.level
}

async function waitForLevel(page: Page, level: string): Promise<void> {
  await page
    .locator(`[data-testid="session-page"][data-level="${level}"]`)
    .waitFor()
}

// A flag on the window survives only as long as the page is not reloaded, so
// finding it again proves an update arrived live.
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    ;(window as unknown as { notReloaded: boolean }).notReloaded = true
  })
}

async function assertNotReloaded(page: Page): Promise<void> {
  const marked = await page.evaluate(
    () => (window as unknown as { notReloaded?: boolean }).notReloaded,
  )
  assert.equal(marked, true, 'the page was reloaded')
}

async function waitForText(
  locator: ReturnType<Page['locator']>,
  text: string,
  timeoutMs = 15_000,
): Promise<void> {
  await waitFor(
    async () => (await locator.allTextContents()).some((t) => t.includes(text)),
    `"${text}"`,
    timeoutMs,
  )
}

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
