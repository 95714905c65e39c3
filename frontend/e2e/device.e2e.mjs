// The player without a sound device: it says so in full, in the player bar.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startApp, openBrowser, signIn, tempDir, shot, fan } from './lib.mjs'

test('with no sound device, Play shows the whole message and asks for no restart', async () => {
  const noAudio = tempDir('mbx-noaudio-')
  const conf = join(noAudio, 'asound.conf')
  writeFileSync(conf, '') // an ALSA without any device
  const app = await startApp({ env: { ALSA_CONFIG_PATH: conf } })
  const br = await openBrowser(app.url, { width: 1000, height: 700 })
  try {
    const { page } = br
    await signIn(page, fan)
    await page.click('nav [data-view=library]')
    const owned = page.locator('[data-library-release="Tidal Lines"]')
    await owned.locator('text=Available offline').waitFor({ timeout: 60000 })
    await owned.locator('button', { hasText: /^Play$/ }).click()

    const msg = page.locator('footer.player').getByText(/sound device/i)
    await msg.waitFor()
    await shot(page, 'device-missing')

    const fit = await msg.evaluate((el) => {
      const r = el.getBoundingClientRect()
      const clippedBy = []
      for (let a = el.parentElement; a; a = a.parentElement) {
        const s = getComputedStyle(a)
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue
        const b = a.getBoundingClientRect()
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5) clippedBy.push(a.className || a.tagName)
      }
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, vw: innerWidth, vh: innerHeight,
        scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, clippedBy }
    })
    assert.ok(fit.left >= 0 && fit.top >= 0 && fit.right <= fit.vw && fit.bottom <= fit.vh, 'message outside the window: ' + JSON.stringify(fit))
    assert.ok(fit.scrollWidth <= fit.clientWidth, 'message cut: ' + JSON.stringify(fit))
    assert.deepEqual(fit.clippedBy, [], 'message clipped by its container')
    assert.equal(await msg.getAttribute('role'), 'alert')
    assert.doesNotMatch(await msg.textContent(), /restart/i)
  } finally {
    await br.close()
    await app.stop()
  }
})
