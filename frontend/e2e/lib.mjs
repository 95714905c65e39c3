// Shared harness for the end-to-end tests: starts the dev build of the app
// (live Go bindings) on a free port with its own MEGABOX_HOME, and drives it
// with Debian's Chromium through playwright-core. scripts/e2e.sh provides
// DISPLAY (Xvfb), the null sound card and MEGABOX_E2E_BIN.
import { chromium } from 'playwright-core'
import { before, after } from 'node:test'
import { spawn, execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, mkdirSync, openSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const shots = process.env.MEGABOX_E2E_SHOTS || mkdtempSync(join(tmpdir(), 'mbx-shots-'))
const bin = process.env.MEGABOX_E2E_BIN || 'build/bin/megabox-dev'
const assets = process.env.MEGABOX_E2E_ASSETS || 'frontend/dist'

export function tempDir(prefix = 'mbx-e2e-') {
  return mkdtempSync(join(tmpdir(), prefix))
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

async function until(what, fn, timeoutMs = 30000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try { if (await fn()) return } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
export { until }

// systemBrowser stands in for the desktop's browser: the app opens pages
// through Wails' BrowserOpenURL, which runs xdg-open from PATH; this one
// writes each address to a file instead, for the test to open.
function systemBrowser(home) {
  const dir = join(home, 'system-browser')
  mkdirSync(dir, { recursive: true })
  const pages = join(home, 'opened-pages')
  const script = join(dir, 'xdg-open')
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${pages}'\n`)
  chmodSync(script, 0o755)
  return { dir, opened: () => (existsSync(pages) ? readFileSync(pages, 'utf8').split('\n').filter(Boolean) : []) }
}

// startApp runs the app with the given home (a fresh one when omitted) and
// resolves once its dev server answers. stop() ends it and waits for exit;
// openedPages() lists the pages it asked the system browser to open.
export async function startApp({ home = tempDir('mbx-home-'), env = {} } = {}) {
  const port = await freePort()
  mkdirSync(home, { recursive: true })
  const logPath = join(home, `app-${port}.log`)
  const log = openSync(logPath, 'a')
  const browser = systemBrowser(home)
  const child = spawn(bin, ['-devserver', `127.0.0.1:${port}`, '-assetdir', assets], {
    env: { ...process.env, MEGABOX_HOME: home, HOME: home, MEGABOX_NO_KEYRING: '1', MEGABOX_DEV_DIALOG_ANSWER: 'yes', PATH: `${browser.dir}:${process.env.PATH}`, ...env },
    stdio: ['ignore', log, log],
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const url = `http://127.0.0.1:${port}`
  let dead = false
  exited.then(() => { dead = true })
  await until('the app to serve ' + url, async () => {
    if (dead) throw new Error('app exited: ' + readFileSync(logPath, 'utf8').slice(-2000))
    const r = await fetch(url)
    return r.ok
  }, 60000, 200).catch((e) => { child.kill('SIGKILL'); throw new Error(e.message + '\n' + readFileSync(logPath, 'utf8').slice(-2000)) })
  return {
    url, home, log: () => readFileSync(logPath, 'utf8'), openedPages: browser.opened,
    async stop() {
      if (!dead) child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 10000)
      await exited
      clearTimeout(t)
    },
  }
}

// openBrowser opens a fresh Chromium profile on url; pageErrors collects
// uncaught page errors (minus the known Wails IPC noise).
export async function openBrowser(url, { width = 1280, height = 860, locale = 'en-US', colorScheme = 'light' } = {}) {
  const ctx = await chromium.launchPersistentContext(tempDir('mbx-chromium-'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width, height },
    locale,
    colorScheme,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const page = ctx.pages()[0] || (await ctx.newPage())
  page.setDefaultTimeout(30000)
  page.on('dialog', (d) => d.accept())
  const pageErrors = []
  page.on('pageerror', (e) => { if (!String(e).includes("reading 'nodes'")) pageErrors.push(String(e)) })
  await page.goto(url)
  return { ctx, page, pageErrors, close: () => ctx.close() }
}

// demoPassword reads the per-install demo password the app shows on the
// sign-in screen.
export async function demoPassword(page) {
  const el = page.locator('[data-testid=demo-password]').first()
  await el.waitFor({ state: 'attached' }) // inside the closed "demo sign-in details"

  return (await el.textContent()).trim()
}

// answerWelcome answers the first run's question (listening or making
// music) if the app asks it; the app's own views show after.
export async function answerWelcome(page, role = 'listen') {
  await page.locator('[data-testid=welcome], .shell[data-loaded]').first().waitFor()
  if (await page.isVisible('[data-testid=welcome]')) await page.click(`[data-testid=welcome] [data-role=${role}]`)
  await page.locator('nav [data-view=account]').waitFor()
}

export async function signIn(page, email, password) {
  await answerWelcome(page)
  await page.click('nav [data-view=account]')
  if (await page.isVisible('[data-testid=sign-out]')) await page.click('[data-testid=sign-out]')
  await page.waitForSelector('input[name=email]')
  const pw = password || (await demoPassword(page))
  await page.fill('input[name=email]', email)
  await page.fill('input[name=password]', pw)
  await page.click('form button[type=submit]')
  await page.waitForSelector('nav [data-view=library]')
  await page.waitForSelector('input[name=password]', { state: 'detached' })
}

export const creator = 'nova@demo.megabox.local'
export const fan = 'fan@demo.megabox.local'

// makeAlbum writes a release folder of n short generated tracks with real
// tags (sox + lame) and backdates them so sync treats them as settled.
export function makeAlbum(dir, title, n = 3, artist = 'Nova Harbor') {
  const album = join(dir, title)
  mkdirSync(album, { recursive: true })
  const wav = join(dir, `.${title}.wav`)
  for (let i = 1; i <= n; i++) {
    execFileSync('sox', ['-n', '-r', '44100', '-c', '2', wav, 'synth', '8', 'pluck', String(200 + i * 60)])
    const mp3 = join(album, `0${i}.mp3`)
    execFileSync('lame', ['--quiet', '-b', '96', '--tt', i === 1 ? 'Opening' : `Part ${i}`, '--ta', artist, '--tl', title, '--tn', `${i}/${n}`, wav, mp3])
    const past = new Date(Date.now() - 10000)
    utimesSync(mp3, past, past)
  }
  return album
}

export async function shot(page, name) {
  await page.screenshot({ path: join(shots, name + '.png') })
}

// sharedApp starts one app and one browser for a whole test file; the
// returned object gets app, page and pageErrors before the first test.
export function sharedApp(opts) {
  const s = {}
  before(async () => {
    s.app = await startApp(opts)
    Object.assign(s, await openBrowser(s.app.url))
    await answerWelcome(s.page)
  })
  after(async () => {
    await s.close?.()
    await s.app?.stop()
  })
  return s
}

// addFolder adds a watched folder on the sync page.
export async function addFolder(page, dir) {
  await page.click('nav [data-view=sync]')
  await page.fill('input[name=folder-path]', dir)
  await page.click('form:has(input[name=folder-path]) button[type=submit]')
}

export const goodCard = '4242424242424242'
export const declinedCard = '4000000000000002'

// startCheckout presses Pay on the open release page and returns the
// payment page the app then opened in the system browser.
export async function startCheckout(s) {
  const before = s.app.openedPages().length
  await s.page.click('form.checkout button[type=submit]')
  await s.page.locator('[data-testid=waiting]').waitFor()
  let url
  await until('the app to open the payment page', () => (url = s.app.openedPages()[before]), 15000)
  return url
}

// payOnPage pays on the hosted payment page at url, in a tab of its own as
// the fan's browser would, and resolves with that tab once the page has
// answered (paid, or the card's refusal).
export async function payOnPage(s, url, card = goodCard, tab = null) {
  tab ||= await s.ctx.newPage()
  if (tab.url() !== url) await tab.goto(url)
  await tab.fill('input[name=card]', card)
  await tab.click('button[type=submit]')
  await tab.locator(card === goodCard ? '[data-testid=paid]' : '[data-testid=error]').waitFor()
  return tab
}

// buy buys the open release through the hosted page with the good card and
// waits for the app to show the purchase.
export async function buy(s) {
  const tab = await payOnPage(s, await startCheckout(s))
  await s.page.locator('[data-testid=purchase]').waitFor()
  await tab.close()
}
