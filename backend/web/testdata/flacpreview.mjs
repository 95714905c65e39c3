// Plays the first track of a release page whose preview is still being
// made, in Debian's Chromium: the player must say so, wait, then play.
// usage: node flacpreview.mjs PLAYWRIGHT_CORE_DIR PAGE_URL
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const [, , pw, url] = process.argv
const { chromium } = await import(path.join(pw, 'index.mjs'))
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbx-pw-'))
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
})
const problems = []
try {
  const page = await ctx.newPage()
  page.on('pageerror', (e) => problems.push(e.message))
  await page.goto(url, { waitUntil: 'networkidle' })
  // Remember every text the bar's time shows.
  await page.evaluate(() => {
    const el = document.querySelector('[data-time]')
    window.seen = []
    new MutationObserver(() => window.seen.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true })
  })
  await page.click('[data-act="toggle"]')
  await page.waitForFunction(() => document.querySelector('audio').currentTime > 0.5, null, { timeout: 90000 })
  const state = await page.evaluate(() => {
    const t = document.querySelector('[data-time]')
    return { preparing: t.dataset.preparing, sawPreparing: window.seen.includes(t.dataset.preparing), currentTime: document.querySelector('audio').currentTime,
      duration: document.querySelector('audio').duration, playing: document.querySelector('[data-player-bar]').classList.contains('playing') }
  })
  console.log(JSON.stringify({ ...state, problems }))
} finally {
  await ctx.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
