// End-to-end: fan insight in the app. A listener starts a preview of the
// demo creator's release on the platform (as a web page's player would);
// the creator finds it counted in the Insight section of Earnings, for the
// release and for all, with the preview-to-sale rate, and saves the days
// as CSV (the dev build answers the save dialog with MEGABOX_DEV_SAVE_PATH).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openBrowser, sharedApp, signIn, shot, tempDir, until, creator } from './lib.mjs'

const csvPath = join(tempDir('mbx-insight-'), 'insight.csv')
const s = sharedApp({ env: { MEGABOX_DEV_SAVE_PATH: csvPath } })

// platform is the local platform's address in the app's home.
const platform = () => readFileSync(join(s.app.home, 'platform', 'address'), 'utf8').trim()

test('a preview started on the web shows in the creator’s insight and its CSV', { timeout: 180000 }, async () => {
  const { page, pageErrors } = s
  await signIn(page, creator)
  const base = 'http://' + platform()
  const found = await (await fetch(`${base}/api/v1/releases?q=Copper%20Hours`)).json()
  const rel = found.items.find((r) => r.title === 'Copper Hours')
  const preview = await fetch(`${base}/api/v1/tracks/${rel.tracks[0].id}/preview`)
  assert.equal(preview.status, 200)
  await preview.arrayBuffer()
  const more = await fetch(`${base}/api/v1/tracks/${rel.tracks[0].id}/preview`, { headers: { Range: 'bytes=1000-' } })
  assert.equal(more.status, 206) // a continuation: not a new start
  await more.arrayBuffer()

  await page.click('nav [data-view=earnings]')
  const box = page.locator('[data-testid=insight]')
  await box.waitFor()
  await box.locator('[data-testid=insight-release]').selectOption({ label: 'Copper Hours' })
  await until('the preview counted', async () => (await box.locator('[data-testid=insight-previews]').textContent()) === '1', 15000)
  const sales = Number(await box.locator('[data-testid=insight-sales]').textContent())
  const rate = await box.locator('[data-testid=insight-conversion]').textContent()
  assert.equal(rate, new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(sales))
  await box.locator('[data-testid=insight-release]').selectOption({ label: 'All releases' })
  await until('all releases read', async () => (await box.locator('[data-testid=insight-previews]').textContent()) === '1', 15000)
  assert.equal(await box.locator('canvas').count(), 1)

  await box.locator('[data-testid=insight-export]').click()
  await until('the CSV saved', () => { try { return readFileSync(csvPath, 'utf8').length > 0 } catch { return false } }, 15000)
  const lines = readFileSync(csvPath, 'utf8').trim().split('\n')
  assert.equal(lines[0], 'day,release_id,release,plays,previews,sales,gross,currency,conversion')
  const today = new Date().toISOString().slice(0, 10)
  assert.ok(lines.some((l) => l.startsWith(`${today},${rel.id},Copper Hours,0,1,`)), lines.join('\n'))
  await box.evaluate((el) => el.scrollIntoView({ block: 'start' }))
  await shot(page, 'app-insight-en')
  assert.deepEqual(pageErrors, [])
})

test('the section speaks French to a French creator', { timeout: 120000 }, async () => {
  const fr = await openBrowser(s.app.url, { locale: 'fr-FR' })
  try {
    await signIn(fr.page, creator)
    await fr.page.click('nav [data-view=earnings]')
    const box = fr.page.locator('[data-testid=insight]')
    await box.locator('[data-testid=insight-previews]', { hasText: '1' }).waitFor()
    assert.match(await box.textContent(), /Extraits sur le web.*De l’extrait à la vente/s)
    assert.equal(await box.locator('[data-testid=insight-export]').textContent(), 'Exporter en CSV')
    await box.evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await shot(fr.page, 'app-insight-fr')
    assert.deepEqual(fr.pageErrors, [])
  } finally {
    await fr.close()
  }
})
