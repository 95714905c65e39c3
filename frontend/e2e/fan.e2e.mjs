// End-to-end: a fan as the app meets them. They say they listen, browse
// the store signed out, hear a preview, press Pay, are asked to sign in
// right there, pay on the hosted page, and play what is now theirs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sharedApp, shot, until, fan, payOnPage } from './lib.mjs'

const s = sharedApp() // answers "I listen": the store comes first

// position reads the player's clock in seconds.
async function position(page) {
  const [m, sec] = (await page.locator('[data-testid=position]').textContent()).split(':').map(Number)
  return m * 60 + sec
}

test('a fan browses signed out, previews, signs in at Pay, buys and plays', { timeout: 300000 }, async () => {
  const { page, pageErrors } = s
  await page.locator('main h1', { hasText: 'Store' }).waitFor()
  assert.equal(await page.locator('[data-testid=account-email]').count(), 0)
  await page.fill('input[name=q]', 'copper')
  await page.press('input[name=q]', 'Enter')
  await page.click('.tile:has-text("Copper Hours")')
  await page.locator('h1', { hasText: 'Copper Hours' }).waitFor()

  // The artist's page, with their bio, and back.
  await page.locator('button.link', { hasText: 'by Nova Harbor' }).click()
  await page.locator('main h1', { hasText: 'Nova Harbor' }).waitFor()
  await shot(page, 'fan-1-artist-signed-out')
  await page.click('.tile:has-text("Copper Hours")')

  // A preview plays before any sign-in: the clock moves, the bar says preview.
  await page.locator('[data-testid=preview]').first().click()
  await page.locator('[data-testid=now-preview]').waitFor()
  await until('the preview to advance', async () => (await position(page)) >= 2, 20000)
  await shot(page, 'fan-2-previewing')
  await page.locator('[data-testid=play-toggle]').click() // pause

  // Pay asks for an account right there; signing in goes on to the payment.
  await page.locator('form.checkout button[type=submit]').click()
  const form = page.locator('[data-testid=signin-form]')
  await form.waitFor()
  assert.deepEqual(s.app.openedPages(), [], 'no payment page before signing in')
  await shot(page, 'fan-3-sign-in-at-pay')
  const password = readFileSync(join(s.app.home, 'platform', 'demo-password'), 'utf8').trim()
  await form.locator('input[name=email]').fill(fan)
  await form.locator('input[name=password]').fill('not the password')
  await form.locator('button[type=submit]').click()
  await form.locator('[data-testid=signin-error]', { hasText: 'Wrong email or password.' }).waitFor()
  await form.locator('input[name=password]').fill(password)
  await form.locator('button[type=submit]').click()
  await page.locator('[data-testid=waiting]').waitFor()
  let url
  await until('the payment page to open', () => (url = s.app.openedPages()[0]), 15000)
  const tab = await payOnPage(s, url)
  await tab.close()

  // Theirs now: the purchase, then playing the real track.
  await page.locator('[data-testid=purchase]').waitFor({ timeout: 30000 })
  await page.locator('[data-testid=owned] button.primary').click()
  await until('the bought track to play', async () => (await page.locator('[data-testid=now-title]').textContent()).trim() === 'Copper Morning', 30000)
  assert.equal(await page.locator('[data-testid=now-preview]').count(), 0)
  const t0 = await position(page)
  await until('the track to advance', async () => (await position(page)) >= t0 + 2, 20000)
  await shot(page, 'fan-4-playing')

  // Coming back to the release later says it is theirs, with Play.
  await page.click('nav [data-view=library]')
  await page.locator('[data-library-release="Copper Hours"]').waitFor({ timeout: 60000 })
  await page.click('nav [data-view=store]')
  const back = page.locator('button', { hasText: /Back$/ })
  if (await back.isVisible()) await back.click()
  await page.click('.tile:has-text("Copper Hours")')
  await page.locator('[data-testid=own-play]', { hasText: 'You own this — Play' }).waitFor()
  await shot(page, 'fan-5-owned')
  assert.deepEqual(pageErrors, [])
})
