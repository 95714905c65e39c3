// End-to-end: a creator publishes a folder, a fan buys and plays it, the
// creator sees the exact 90/10 split. Drives the dev build (live Go
// bindings) with Debian's Chromium through playwright-core.
// Usage: node app.e2e.mjs URL MUSIC_DIR SHOTS_DIR
import { chromium } from 'playwright-core'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const [url, music, shots] = process.argv.slice(2)
const step = (s) => console.log('e2e:', s)

const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'mbx-chromium-')), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 860 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
const page = ctx.pages()[0] || (await ctx.newPage())
page.setDefaultTimeout(30000)
page.on('dialog', (d) => d.accept())
const errors = []
page.on('pageerror', (e) => { if (!String(e).includes("reading 'nodes'")) errors.push(String(e)) })

async function signIn(email) {
  await page.click('nav [data-view=account]')
  if (await page.isVisible('text=Sign out')) await page.click('text=Sign out')
  await page.fill('input[name=email]', email)
  await page.fill('input[name=password]', 'megabox-demo')
  await page.click('form button[type=submit]')
  await page.waitForSelector('nav [data-view=library]')
  await page.waitForSelector('text=Sign in', { state: 'detached' }).catch(() => {})
}

try {
  await page.goto(url)
  await page.waitForSelector('text=Demo accounts')
  step('creator signs in')
  await signIn('nova@demo.megabox.local')
  await page.click('nav [data-view=sync]')
  step('creator adds a folder')
  await page.fill('input[name=folder-path]', music)
  await page.click('text=Add >> nth=-1')
  const card = page.locator('article[data-release="E2E Album"]')
  await card.waitFor()
  await card.locator('[data-testid=release-pct]', { hasText: '100%' }).waitFor({ timeout: 60000 })
  await card.locator('[data-testid=release-state]', { hasText: /^synced$/ }).waitFor()
  await page.screenshot({ path: join(shots, 'e2e-1-synced.png') })
  step('creator sets a price and publishes')
  await card.locator('input[name=price]').fill('7.77')
  const preview = await card.locator('[data-testid=split-preview]').textContent()
  if (preview !== 'Fan pays €7.77 → you get €7.00, Megabox €0.77') throw new Error('price preview: ' + preview)
  await card.locator('text=Save price').click()
  await page.waitForTimeout(2500) // the sidecar change syncs
  await card.locator('[data-testid=release-state]', { hasText: /^synced$/ }).waitFor()
  await card.locator('button', { hasText: /^Publish$/ }).click()
  await card.locator('[data-testid=release-public]', { hasText: 'published' }).waitFor()
  await page.screenshot({ path: join(shots, 'e2e-1b-published.png') })

  step('fan buys it')
  await signIn('fan@demo.megabox.local')
  await page.click('nav [data-view=store]')
  await page.fill('input[name=q]', 'E2E')
  await page.press('input[name=q]', 'Enter')
  await page.click('.tile:has-text("E2E Album")')
  const split = await page.locator('[data-testid=store-split]').textContent()
  if (!split.includes('€7.00 goes to the artist and €0.77 to Megabox')) throw new Error('store split: ' + split)
  await page.screenshot({ path: join(shots, 'e2e-2-store.png') })
  await page.click('button:has-text("Pay €7.77")')
  await page.waitForSelector('text=Bought! It is in your library.')
  step('fan visits the artist page')
  await page.click('button.link:has-text("by Nova Harbor")')
  await page.locator('h1', { hasText: 'Nova Harbor' }).waitFor()
  const tiles = await page.locator('.tile').count()
  if (tiles !== 3) throw new Error(`artist page shows ${tiles} releases, want 3`)
  await page.screenshot({ path: join(shots, 'e2e-2b-artist.png') })

  step('keyboard: Ctrl+3 opens the library')
  await page.keyboard.press('Control+3')
  await page.locator('h1', { hasText: 'Your library' }).waitFor()
  step('fan plays it from the library')
  await page.click('nav [data-view=library]')
  const owned = page.locator('[data-library-release="E2E Album"]')
  await owned.locator('text=Available offline').waitFor({ timeout: 60000 })
  await owned.locator('button', { hasText: /^Play$/ }).click()
  await page.locator('[data-testid=now-title]', { hasText: 'Opening' }).waitFor()
  await page.waitForFunction(() => {
    const t = document.querySelector('[data-testid=position]')?.textContent || '0:00'
    return t !== '0:00'
  }, null, { timeout: 15000 })
  const pos = await page.locator('[data-testid=position]').textContent()
  await page.screenshot({ path: join(shots, 'e2e-3-playing.png') })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: join(shots, 'e2e-3-playing-dark.png') })
  await page.emulateMedia({ colorScheme: 'light' })
  step('position advanced to ' + pos)
  await page.click('[data-testid=play-toggle]')

  step('creator sees the exact split')
  await signIn('nova@demo.megabox.local')
  await page.click('nav [data-view=earnings]')
  await page.locator('[data-testid=total-gross]', { hasText: '€97.77' }).waitFor()
  const got = {
    gross: await page.locator('[data-testid=total-gross]').textContent(),
    creator: await page.locator('[data-testid=total-creator]').textContent(),
    platform: await page.locator('[data-testid=total-platform]').textContent(),
  }
  await page.screenshot({ path: join(shots, 'e2e-4-earnings.png') })
  if (got.gross !== '€97.77' || got.creator !== '€88.00' || got.platform !== '€9.77') throw new Error('earnings: ' + JSON.stringify(got))
  if (errors.length) throw new Error('page errors: ' + errors.join('; '))
  console.log('e2e: 1 passed, 0 failed')
} catch (e) {
  await page.screenshot({ path: join(shots, 'e2e-failure.png') }).catch(() => {})
  console.error('e2e failed:', e)
  console.log('e2e: 0 passed, 1 failed')
  process.exitCode = 1
} finally {
  await ctx.close()
}
