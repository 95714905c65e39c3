// End-to-end: a creator publishes a folder, a fan buys and plays it, the
// creator sees the exact 90/10 split.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sharedApp, signIn, makeAlbum, tempDir, shot, creator, fan, buy } from './lib.mjs'

const br = sharedApp()

test('creator publishes, fan buys and plays, creator sees the exact split', async () => {
  const { page, pageErrors } = br
  const music = tempDir('mbx-music-')
  makeAlbum(music, 'E2E Album')

  await signIn(page, creator)
  await page.click('nav [data-view=sync]')
  await page.fill('input[name=folder-path]', music)
  await page.click('text=Add >> nth=-1')
  const card = page.locator('article[data-release="E2E Album"]')
  await card.waitFor()
  await card.locator('[data-testid=release-pct]', { hasText: '100%' }).waitFor({ timeout: 60000 })
  await card.locator('[data-testid=release-state][data-state=synced]').waitFor()
  await shot(page, 'e2e-1-synced')

  await card.locator('input[name=price]').fill('7.77')
  // The split comes from the platform's rule over the bindings: wait for its answer.
  const preview = card.locator('[data-testid=split-preview]')
  await preview.filter({ hasText: '€7.77' }).waitFor({ timeout: 10000 })
  assert.equal(await preview.textContent(), 'Fan pays €7.77 → you get €7.00, Megabox €0.77')
  await card.locator('text=Save price').click()
  await card.locator('[data-testid=release-state][data-state=synced]').waitFor()
  await card.locator('button', { hasText: /^Publish$/ }).click()
  await card.locator('[data-testid=release-public]', { hasText: 'published' }).waitFor()
  await shot(page, 'e2e-1b-published')

  await signIn(page, fan)
  await page.click('nav [data-view=store]')
  await page.fill('input[name=q]', 'E2E')
  await page.press('input[name=q]', 'Enter')
  await page.click('.tile:has-text("E2E Album")')
  await page.locator('[data-testid=store-split]', { hasText: /./ }).waitFor({ timeout: 10000 })
  const split = await page.locator('[data-testid=store-split]').textContent()
  assert.ok(split.includes('€7.00 goes to the artist and €0.77 to Megabox'), 'store split: ' + split)
  await shot(page, 'e2e-2-store')
  assert.equal(await page.locator('form.checkout button[type=submit]').textContent(), 'Pay €7.77 by card…')
  await buy(br)
  assert.equal(await page.locator('[data-testid=purchase]').textContent(), 'You paid €7.77: €7.00 to the artist, €0.77 to Megabox.')
  await page.click('button.link:has-text("by Nova Harbor")')
  await page.locator('h1', { hasText: 'Nova Harbor' }).waitFor()
  assert.equal(await page.locator('.tile').count(), 3, 'artist page releases')
  await shot(page, 'e2e-2b-artist')

  await page.keyboard.press('Control+2') // a listener's views: store, library, account
  await page.locator('h1', { hasText: 'Your library' }).waitFor()
  await page.click('nav [data-view=library]')
  const owned = page.locator('[data-library-release="E2E Album"]')
  await owned.locator('text=Available offline').waitFor({ timeout: 60000 })
  await owned.locator('button', { hasText: /^Play$/ }).click()
  await page.locator('[data-testid=now-title]', { hasText: 'Opening' }).waitFor()
  await page.waitForFunction(() => (document.querySelector('[data-testid=position]')?.textContent || '0:00') !== '0:00', null, { timeout: 15000 })
  await shot(page, 'e2e-3-playing')
  await page.emulateMedia({ colorScheme: 'dark' })
  await shot(page, 'e2e-3-playing-dark')
  await page.emulateMedia({ colorScheme: 'light' })
  await page.click('[data-testid=play-toggle]')

  await signIn(page, creator)
  await page.click('nav [data-view=earnings]')
  await page.locator('[data-testid=total-gross]', { hasText: '€97.77' }).waitFor()
  await shot(page, 'e2e-4-earnings')
  assert.equal(await page.locator('[data-testid=total-creator]').textContent(), '€88.00')
  assert.equal(await page.locator('[data-testid=total-platform]').textContent(), '€9.77')
  assert.deepEqual(pageErrors, [])
})
