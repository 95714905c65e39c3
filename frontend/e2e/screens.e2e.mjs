// Screenshots of every view of the app, in English and French, light and
// dark, at 1280×800 and 900×600, into docs/screenshots/app/ when
// MEGABOX_SCREENS is set (a person looks at them; nothing is asserted but
// that each view shows and no page error happens).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startApp, openBrowser, signIn, answerWelcome, creator, fan, tempDir, makeAlbum, addFolder } from './lib.mjs'

const out = process.env.MEGABOX_SCREENS
const combos = []
for (const lang of ['en', 'fr']) {
  for (const theme of ['light', 'dark']) {
    for (const [w, h] of [[1280, 800], [900, 600]]) combos.push({ lang, theme, w, h })
  }
}
const name = (c, view) => `${view}-${c.lang}-${c.theme}-${c.w}.png`

test('every view, in both languages, both themes and both sizes', { skip: !out && 'set MEGABOX_SCREENS to a directory', timeout: 900000 }, async () => {
  mkdirSync(out, { recursive: true })
  const app = await startApp()
  const errors = []
  const open = async (c) => {
    const b = await openBrowser(app.url, { width: c.w, height: c.h, locale: c.lang === 'fr' ? 'fr-FR' : 'en-US', colorScheme: c.theme })
    b.page.on('pageerror', (e) => errors.push(String(e)))
    return b
  }
  const snap = (page, c, view) => page.screenshot({ path: join(out, name(c, view)) })
  try {
    // The first run's question, before anyone answers it.
    for (const c of combos) {
      const b = await open(c)
      await b.page.locator('[data-testid=welcome]').waitFor()
      await snap(b.page, c, '01-welcome')
      await b.close()
    }
    // A creator's folder, synced, for the editor.
    const music = tempDir('mbx-music-')
    makeAlbum(music, 'Night Drive', 3)
    {
      const b = await open(combos[0])
      await answerWelcome(b.page, 'listen')
      await signIn(b.page, creator)
      await addFolder(b.page, music)
      await b.page.locator('article[data-release="Night Drive"] [data-testid=release-state][data-state=synced]').waitFor({ timeout: 60000 })
      await b.close()
    }
    for (const c of combos) {
      const b = await open(c)
      const { page } = b
      await answerWelcome(page)
      // Signed out: the account page and the store.
      await page.click('nav [data-view=account]')
      if (await page.isVisible('[data-testid=sign-out]')) await page.click('[data-testid=sign-out]')
      await page.locator('[data-testid=signin-form]').waitFor()
      await snap(page, c, '02-account-signed-out')
      await page.click('nav [data-view=store]')
      await page.locator('.tile').first().waitFor()
      await snap(page, c, '03-store')
      await page.click('.tile:has-text("Copper Hours")')
      await page.locator('[data-testid=store-split]').waitFor()
      await snap(page, c, '04-release-signed-out')
      await page.locator('button.link', { hasText: 'Nova Harbor' }).click()
      await page.locator('main h1', { hasText: 'Nova Harbor' }).waitFor()
      await snap(page, c, '05-artist')
      // The fan: library and a bought release.
      await signIn(page, fan)
      await page.click('nav [data-view=library]')
      await page.locator('[data-library-release="Tidal Lines"]').waitFor({ timeout: 60000 })
      await snap(page, c, '06-library')
      await page.click('nav [data-view=store]')
      await page.click('.tile:has-text("Tidal Lines")')
      await page.locator('[data-testid=own-play]').waitFor()
      await snap(page, c, '07-release-owned')
      // The creator: folders and the editor, earnings, fans, account.
      await signIn(page, creator)
      await page.click('nav [data-view=sync]')
      await page.locator('article[data-release="Night Drive"]').waitFor()
      await snap(page, c, '08-sync-editor')
      await page.click('nav [data-view=earnings]')
      await page.locator('[data-testid=total-gross]').waitFor() // the figures, not only the heading
      await page.locator('main canvas').first().waitFor()
      await snap(page, c, '09-earnings')
      await page.click('nav [data-view=fans]')
      await page.locator('main h1').waitFor()
      await snap(page, c, '10-fans')
      await page.click('nav [data-view=account]')
      await page.locator('form[data-testid=profile]').waitFor()
      await snap(page, c, '11-account-creator')
      await b.close()
    }
    assert.deepEqual(errors.filter((e) => !e.includes("reading 'nodes'")), [])
  } finally {
    await app.stop()
  }
})
