// The session and the demo logins: staying signed in across restarts, sync
// resuming on sign-in, and a demo password of each install's own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { startApp, openBrowser, addFolder, signIn, answerWelcome, demoPassword, makeAlbum, tempDir, shot, creator, fan } from './lib.mjs'

// withApp runs fn against an app on home and a browser on it, then stops both.
async function withApp(home, fn) {
  const app = await startApp({ home })
  const br = await openBrowser(app.url)
  try {
    return await fn(br.page, app, br)
  } catch (e) {
    console.error('--- app log ---\n' + app.log().slice(-3000))
    throw e
  } finally {
    await br.close()
    await app.stop()
  }
}

async function signInForm(page) {
  await answerWelcome(page)
  await page.click('nav [data-view=account]')
  await page.waitForSelector('input[name=email]')
}

test('quitting and reopening keeps you signed in', async () => {
  const home = tempDir('mbx-home-')
  await withApp(home, async (page) => {
    await signIn(page, creator)
    await page.click('nav [data-view=account]')
    await page.locator('[data-testid=account-email]', { hasText: creator }).waitFor()
  })
  await withApp(home, async (page) => {
    await page.click('nav [data-view=account]')
    await page.locator('[data-testid=account-email]', { hasText: creator }).waitFor()
    assert.equal(await page.locator('input[name=email]').count(), 0, 'the sign-in form is shown after a restart')
    await shot(page, 'session-restored')
  })
})

test('each install has its own demo password; the shown one signs in, megabox-demo does not', async () => {
  const passwords = []
  for (const home of [tempDir('mbx-home-'), tempDir('mbx-home-')]) {
    await withApp(home, async (page) => {
      await signInForm(page)
      const shown = await demoPassword(page)
      passwords.push(shown)
      assert.equal(readFileSync(join(home, 'platform', 'demo-password'), 'utf8').trim(), shown)

      await page.fill('input[name=email]', fan)
      await page.fill('input[name=password]', 'megabox-demo')
      await page.click('form button[type=submit]')
      await page.locator('form [role=alert]').waitFor()
      assert.equal(await page.locator('[data-testid=account-email]').count(), 0, 'signed in with megabox-demo')

      await page.fill('input[name=password]', shown)
      await page.click('form button[type=submit]')
      await page.locator('h1', { hasText: 'Your library' }).waitFor() // where signing in takes a fan
      await page.click('nav [data-view=account]')
      await shot(page, 'session-demo-signed-in')
      await page.locator('[data-testid=account-email]', { hasText: fan }).waitFor()
    })
  }
  assert.notEqual(passwords[0], passwords[1], 'two installs share a demo password')
  for (const p of passwords) {
    assert.notEqual(p, 'megabox-demo')
    assert.ok(p.length >= 16, 'a short demo password: ' + p)
  }
})

test('a folder refused for a revoked session syncs once you sign in again, without Retry', async () => {
  const home = tempDir('mbx-home-')
  const music = tempDir('mbx-music-')
  const album = makeAlbum(music, 'Comeback Album', 1)
  await withApp(home, async (page) => {
    await signIn(page, creator)
    await addFolder(page, music)
    const card = page.locator('article[data-release="Comeback Album"]')
    const publish = card.locator('button', { hasText: /^Publish$/ })
    await card.locator('[data-testid=release-state][data-state=synced]').waitFor({ timeout: 60000 })
    assert.equal(await publish.isEnabled(), true, 'Publish on a synced draft')

    // The platform forgets the app's session (expired, or ended elsewhere).
    const { token } = JSON.parse(readFileSync(join(home, 'session.json'), 'utf8'))
    const addr = readFileSync(join(home, 'platform', 'address'), 'utf8').trim()
    const r = await fetch(`http://${addr}/api/v1/sessions/current`, { method: 'DELETE', headers: { Authorization: 'Bearer ' + token } })
    assert.ok(r.ok, 'revoking the session: ' + r.status)

    copyFileSync(join(album, '01.mp3'), join(album, '02.mp3')) // a change the old session cannot send
    const past = new Date(Date.now() - 10000)
    utimesSync(join(album, '02.mp3'), past, past)
    await card.locator('[data-testid=release-state][data-state=error]').waitFor({ timeout: 30000 })
    const problem = card.locator('[data-testid=release-problem]')
    assert.equal(await problem.getAttribute('data-kind'), 'refused_by_platform')
    assert.match(await problem.textContent(), /^Megabox refused this release\. Your session has ended: sign in again\./)
    assert.doesNotMatch(await card.textContent(), /unauthori[sz]ed/i, 'the platform\'s words reached the screen')
    assert.equal(await publish.isDisabled(), true, 'Publish offered on a release in error')
    await shot(page, 'session-sync-refused')

    await signIn(page, creator)
    await page.click('nav [data-view=sync]')
    // Well inside the minute a refused folder otherwise waits before its next try.
    await card.locator('[data-testid=release-state][data-state=synced]').waitFor({ timeout: 20000 })
    await publish.waitFor()
    assert.equal(await publish.isEnabled(), true, 'Publish after the folder synced again')
    await shot(page, 'session-sync-resumed')
  })
})
