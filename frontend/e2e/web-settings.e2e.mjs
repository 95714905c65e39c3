// End-to-end: a creator sets their public profile and a release's web
// address and preview length from the app; a fan hears a track's preview
// in the store before buying, the player saying it is a preview.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sharedApp, signIn, shot, until, creator, fan, tempDir, makeAlbum, addFolder } from './lib.mjs'

const br = sharedApp()

test('a creator chooses a handle and a release its address and preview length', { timeout: 180000 }, async () => {
  const { page, pageErrors } = br
  await signIn(page, creator)
  await page.click('nav [data-view=account]')
  const form = page.locator('form[data-testid=profile]')
  await form.waitFor()
  await page.fill('input[name=handle]', 'admin')
  await form.locator('button[type=submit]').click()
  await page.locator('#handle-error').waitFor()
  await page.fill('input[name=handle]', 'Nova-Harbor')
  assert.match(await page.locator('[data-testid=profile-url]').textContent(), /\/@nova-harbor$/)
  await page.fill('textarea[name=bio]', 'Ambient from the harbour.\nRecorded at night.')
  await page.click('text=Add a link')
  await page.fill('input[name=link-0]', 'https://nova.example')
  await form.locator('button[type=submit]').click()
  await page.locator('[data-testid=profile-saved]').waitFor()
  assert.equal(await page.inputValue('input[name=handle]'), 'nova-harbor')
  await shot(page, 'account-profile')

  const music = tempDir('mbx-music-')
  makeAlbum(music, 'Night Drive', 2)
  await addFolder(page, music)
  const card = page.locator('[data-release="Night Drive"]')
  await card.waitFor()
  await until('the release to sync', async () => (await card.locator('[data-testid=release-state]').getAttribute('data-state')) === 'synced', 60000)
  const web = card.locator('[data-testid=web-settings]')
  await web.locator('input[name=slug]').fill('Night Drive')
  await web.locator('button[type=submit]').click()
  await web.locator('[role=alert]').waitFor()
  await web.locator('input[name=slug]').fill('night-drive')
  await web.locator('select[name=preview]').selectOption('60')
  await until('the release page address', async () => /\/@nova-harbor\/night-drive$/.test(await web.locator('[data-testid=web-url]').textContent()))
  await web.locator('button[type=submit]').click()
  await until('the settings to be saved', async () => (await web.locator('button[type=submit]').isDisabled()) && !(await web.locator('[role=alert]').count()))
  await card.scrollIntoViewIfNeeded()
  await shot(page, 'release-settings')
  assert.deepEqual(pageErrors, [])
})

test('a fan hears a preview in the store', { timeout: 120000 }, async () => {
  const { page, pageErrors } = br
  await signIn(page, fan)
  await page.click('nav [data-view=store]')
  await page.locator('.tile').first().click()
  const preview = page.locator('[data-testid=preview]').first()
  await preview.waitFor()
  await preview.click()
  await until('the preview to play', async () => (await page.locator('[data-testid=now-preview]').count()) > 0)
  await until('the button to say it plays', async () => (await preview.textContent()).trim() === 'Playing')
  await shot(page, 'store-preview')
  assert.deepEqual(pageErrors, [])
})
