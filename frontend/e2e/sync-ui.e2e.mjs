// End-to-end: the creator's sync page. Folder errors show next to the path
// field and clear on success; invalid prices say why next to the field;
// Publish sells at the price on screen, saved or not.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { sharedApp, addFolder, signIn, makeAlbum, tempDir, shot, creator, fan, buy } from './lib.mjs'

const br = sharedApp()

test('a bad folder path is explained next to the field and cleared by a good one', { timeout: 300000 }, async () => {
  const { page, pageErrors } = br
  await signIn(page, creator)
  await page.click('nav [data-view=sync]')
  const field = page.locator('input[name=folder-path]')
  await field.fill(join(tempDir('mbx-nowhere-'), 'missing'))
  await page.click('form:has(input[name=folder-path]) button[type=submit]')
  const msg = page.locator('[role=alert]', { hasText: 'Give the full path of a folder that exists on this computer.' })
  await msg.waitFor()
  assert.equal(await field.getAttribute('aria-invalid'), 'true')
  assert.equal(await field.getAttribute('aria-describedby'), await msg.getAttribute('id'))
  // Shown where the field is, not at the top of the page.
  const [f, m] = [await field.boundingBox(), await msg.boundingBox()]
  assert.ok(m.y >= f.y && m.y - (f.y + f.height) < 60, `message at ${m.y}, field at ${f.y}`)
  await shot(page, 'sync-1-bad-path')

  const music = tempDir('mbx-music-')
  await field.fill(music)
  await page.click('form:has(input[name=folder-path]) button[type=submit]')
  await page.locator('h2', { hasText: music }).waitFor()
  assert.equal(await msg.count(), 0, 'the folder error stayed after a successful add')
  assert.equal(await page.locator('[role=alert]').count(), 0)
  assert.equal(await field.getAttribute('aria-invalid'), 'false')
  assert.deepEqual(pageErrors, [])
})

test('an invalid price says why next to the field', { timeout: 300000 }, async () => {
  const { page, pageErrors } = br
  const music = tempDir('mbx-music-')
  makeAlbum(music, 'Bad Price', 1)
  await signIn(page, creator)
  await addFolder(page, music)
  const card = page.locator('article[data-release="Bad Price"]')
  await card.waitFor()
  const price = card.locator('input[name=price]')
  for (const bad of ['abc', '-5']) {
    await price.fill(bad)
    const msg = card.locator('[role=alert]')
    await msg.waitFor({ timeout: 10000 })
    assert.equal(await msg.textContent(), 'Enter a price like 9.99, from 0 to 1,000,000.')
    assert.equal(await price.getAttribute('aria-invalid'), 'true')
    assert.equal(await price.getAttribute('aria-describedby'), await msg.getAttribute('id'))
    assert.equal(await card.locator('text=Save price').isDisabled(), true)
  }
  await shot(page, 'sync-2-bad-price')
  await price.fill('4.00')
  assert.equal(await card.locator('[data-testid=price-error]').count(), 0)
  assert.equal(await price.getAttribute('aria-invalid'), 'false')
  assert.deepEqual(pageErrors, [])
})

test('Publish sells at the price on screen, even unsaved', { timeout: 300000 }, async () => {
  const { page, pageErrors } = br
  const music = tempDir('mbx-music-')
  makeAlbum(music, 'Screen Price', 2)
  await signIn(page, creator)
  await addFolder(page, music)
  const card = page.locator('article[data-release="Screen Price"]')
  await card.locator('[data-testid=release-pct]', { hasText: '100%' }).waitFor({ timeout: 60000 })
  await card.locator('[data-testid=release-state][data-state=synced]').waitFor()
  assert.equal(await card.locator('input[name=price]').inputValue(), '10.00')

  // Type 3.00 and publish without saving.
  await card.locator('input[name=price]').fill('3.00')
  await card.locator('button', { hasText: /^Publish$/ }).click()
  await card.locator('[data-testid=release-public]', { hasText: 'published' }).waitFor()
  assert.equal(await card.locator('input[name=price]').inputValue(), '3.00')
  await shot(page, 'sync-3-published')

  // The store shows and charges 3.00: the platform refuses less than the price.
  await signIn(page, fan)
  await page.click('nav [data-view=store]')
  const tile = page.locator('.tile', { hasText: 'Screen Price' })
  await tile.locator('text=€3.00').waitFor()
  await tile.click()
  await page.locator('h1', { hasText: 'Screen Price' }).waitFor()
  assert.equal(await page.locator('input[name=amount]').inputValue(), '3.00')
  assert.equal(await page.locator('form.checkout button[type=submit]').textContent(), 'Pay €3.00 by card…')
  await buy(br)
  assert.equal(await page.locator('[data-testid=purchase]').textContent(), 'You paid €3.00: €2.70 to the artist, €0.30 to Megabox.')
  assert.deepEqual(pageErrors, [])
})

test('Publish refuses a price it cannot read, and says so', { timeout: 300000 }, async () => {
  const { page, pageErrors } = br
  const music = tempDir('mbx-music-')
  makeAlbum(music, 'Unreadable', 1)
  await signIn(page, creator)
  await addFolder(page, music)
  const card = page.locator('article[data-release="Unreadable"]')
  await card.locator('[data-testid=release-state][data-state=synced]').waitFor({ timeout: 60000 })
  await card.locator('input[name=price]').fill('abc')
  await card.locator('button', { hasText: /^Publish$/ }).click()
  await card.locator('[role=alert]', { hasText: 'Fix the price before publishing.' }).waitFor()
  assert.equal(await card.locator('[data-testid=release-public]').textContent(), 'draft')
  assert.deepEqual(pageErrors, [])
})
