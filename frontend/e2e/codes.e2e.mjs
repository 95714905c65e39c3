// End-to-end: download codes in the app. The demo creator makes three free
// codes for a release in the Fans view and saves them as CSV; the demo fan
// redeems one in the library and finds the release there; the same code a
// second time is refused in the fan's language (English, then French).
//
// The native save dialog cannot be clicked from a browser test: the dev
// build answers it with MEGABOX_DEV_SAVE_PATH (release builds never read it).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { sharedApp, signIn, shot, shots, tempDir, until, creator, fan } from './lib.mjs'

const csvPath = join(tempDir('mbx-codes-'), 'codes.csv')
const s = sharedApp({ env: { MEGABOX_DEV_SAVE_PATH: csvPath } })
let codes = []

// french opens the same app in a browser whose language is French.
async function french(fn) {
  const ctx = await chromium.launchPersistentContext(tempDir('mbx-chromium-fr-'), {
    executablePath: '/usr/bin/chromium', headless: true, locale: 'fr-FR', viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--lang=fr-FR', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const p = ctx.pages()[0] || (await ctx.newPage())
    p.setDefaultTimeout(30000)
    await p.goto(s.app.url)
    await fn(p)
  } finally {
    await ctx.close()
  }
}

async function makeCodes(page, { count, kind = 'free', label = '', percent = '' }) {
  const box = page.locator('[data-testid=codes]')
  await box.locator('select[name=code-release]').selectOption({ label: 'Copper Hours' })
  await box.locator('input[name=code-count]').fill(String(count))
  await box.locator('select[name=code-kind]').selectOption(kind)
  if (percent) await box.locator('input[name=code-percent]').fill(percent)
  await box.locator('input[name=code-label]').fill(label)
  await box.locator('[data-testid=make-codes]').click()
  await box.locator('[data-testid=codes-made]').waitFor()
  return box
}

test('the creator makes three free codes and saves them as CSV', { timeout: 180000 }, async () => {
  const { page, pageErrors } = s
  await signIn(page, creator)
  await page.click('nav [data-view=fans]')
  const box = await makeCodes(page, { count: 3, label: 'Radio giveaway' })
  assert.match(await box.locator('[data-testid=codes-made]').textContent(), /Codes made: 3\. Save them now: they are not shown again\./)
  codes = (await box.locator('[data-testid=new-codes]').inputValue()).split('\n')
  assert.equal(codes.length, 3)
  for (const c of codes) assert.match(c, /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}$/)
  assert.equal(existsSync(csvPath), false)

  await box.locator('[data-testid=save-codes]').click()
  await box.locator('[data-testid=codes-saved]', { hasText: `Saved to ${csvPath}.` }).waitFor()
  const lines = readFileSync(csvPath, 'utf8').trim().split('\n')
  assert.equal(lines[0], 'code,release_id,batch_id,kind,discount,expires_at,label')
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), codes)
  for (const l of lines.slice(1)) assert.match(l, /,free,,,Radio giveaway$/)
  const row = box.locator('[data-testid=batches] tbody tr').first()
  assert.deepEqual((await row.locator('td').allTextContents()).slice(1, 5), ['Free', '0 of 3', 'Never', 'Radio giveaway'])
  await box.evaluate((el) => el.scrollIntoView({ block: 'start' }))
  await shot(page, 'app-codes-made-en')
  assert.deepEqual(pageErrors, [])
})

test('the fan redeems a code, finds the release in the library, and the same code again is refused', { timeout: 180000 }, async () => {
  const { page, pageErrors } = s
  assert.equal(codes.length, 3, 'the codes of the test before')
  await signIn(page, fan)
  await page.click('nav [data-view=library]')
  const form = page.locator('[data-testid=redeem]')
  await form.locator('input[name=code]').fill(codes[0].toLowerCase())
  await form.locator('button[type=submit]').click()
  await form.locator('[data-testid=redeemed]', { hasText: '“Copper Hours” by Nova Harbor is now yours' }).waitFor()
  await page.locator('[data-library-release="Copper Hours"]').waitFor({ timeout: 60000 })

  await form.locator('input[name=code]').fill(codes[0])
  await form.locator('button[type=submit]').click()
  const err = form.locator('[data-testid=error]')
  await err.waitFor()
  assert.equal(await err.textContent(), 'This code has already been used.')
  await shot(page, 'app-codes-redeem-en')
  assert.deepEqual(pageErrors, [])

  await french(async (p) => {
    await p.click('nav [data-view=library]')
    const f = p.locator('[data-testid=redeem]')
    await f.locator('input[name=code]').fill(codes[0])
    await f.locator('button[type=submit]').click()
    await f.locator('[data-testid=error]', { hasText: 'Ce code a déjà été utilisé.' }).waitFor()
    await p.locator('[data-library-release="Copper Hours"]').waitFor()
    await p.screenshot({ path: join(shots, 'app-codes-redeem-fr.png') })
  })
})

test('the creator sees the redemption and makes a discount batch, in French', { timeout: 180000 }, async () => {
  await signIn(s.page, creator)
  await french(async (p) => {
    await p.click('nav [data-view=fans]')
    const box = p.locator('[data-testid=codes]')
    await until('the batch to show one redemption', async () =>
      (await box.locator('[data-testid=batches] tbody tr').first().locator('td').nth(2).textContent()) === '1 sur 3')
    await makeCodes(p, { count: 5, kind: 'percent', percent: '25', label: 'Liste de diffusion' })
    assert.match(await box.locator('[data-testid=codes-made]').textContent(), /Codes créés : 5\. Enregistrez-les maintenant : ils ne seront plus affichés\./)
    const first = await box.locator('[data-testid=batches] tbody tr').first().locator('td').allTextContents()
    assert.deepEqual(first.slice(1, 5).map((x) => x.replace(/\s/g, ' ')), ['25 % de réduction', '0 sur 5', 'Jamais', 'Liste de diffusion'])
    await box.evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await p.screenshot({ path: join(shots, 'app-codes-made-fr.png') })
  })
})
