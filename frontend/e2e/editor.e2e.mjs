// End-to-end: a creator's release editor. A folder of three tracks is
// added; the creator edits the title and the price, drags track 3 to the
// top and moves another with the keyboard, sees "Saved", finds the order
// again after reopening, publishes after the confirmation, and the
// release's public page lists the tracks in the new order. megabox.json
// holds the order; the audio files are never renamed or changed.
//
// The native confirmation dialog cannot be clicked from the browser: the
// dev build answers it itself when MEGABOX_DEV_DIALOG_ANSWER is set
// (lib.mjs sets "yes"; release builds never read it) and logs what it was
// asked, which this test reads.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { sharedApp, openBrowser, signIn, shot, shots, creator, tempDir, makeAlbum, addFolder, until } from './lib.mjs'

const s = sharedApp()
const sha256 = (b) => createHash('sha256').update(b).digest('hex')
const hashes = (dir) => Object.fromEntries(readdirSync(dir).filter((f) => f !== 'megabox.json').map((f) => [f, sha256(readFileSync(join(dir, f)))]))
const order = async (card) => card.locator('[data-testid=track] input[name^=track-title]').evaluateAll((els) => els.map((e) => e.value))

test('a creator edits, reorders and publishes a release', { timeout: 300000 }, async () => {
  const { page } = s
  await signIn(page, creator)
  await page.click('nav [data-view=account]')
  await page.locator('form[data-testid=profile]').waitFor()
  await page.fill('input[name=handle]', 'nova-harbor')
  await page.locator('form[data-testid=profile] button[type=submit]').click()
  await page.locator('[data-testid=profile-saved]').waitFor()

  const music = tempDir('mbx-music-')
  const album = makeAlbum(music, 'Night Drive', 3)
  const before = hashes(album)
  await addFolder(page, music)
  const card = page.locator('article[data-release="Night Drive"]')
  await card.locator('[data-testid=release-state][data-state=synced]').waitFor({ timeout: 60000 })
  assert.deepEqual(await order(card), ['Opening', 'Part 2', 'Part 3'])

  // Title and price, typed; saved once typing pauses.
  await card.locator('input[name=release-title]').fill('Night Drive (Remastered)')
  await card.locator('input[name=price]').fill('8.00')
  await card.locator('[data-testid=split-preview]').filter({ hasText: '€8.00' }).waitFor({ timeout: 10000 })

  // Track 3 dragged to the top, then Part 2 moved up with Alt+↑.
  const rows = card.locator('[data-testid=track]')
  await rows.nth(2).locator('.grip').dragTo(rows.nth(0))
  await until('the drag to reorder', async () => (await order(card))[0] === 'Part 3', 10000)
  assert.deepEqual(await order(card), ['Part 3', 'Opening', 'Part 2'])
  await rows.nth(2).focus()
  await page.keyboard.press('Alt+ArrowUp')
  assert.deepEqual(await order(card), ['Part 3', 'Part 2', 'Opening'])
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-file')), '02.mp3', 'the moved track keeps the focus')
  await card.locator('[data-testid=save-status]', { hasText: /^Saved$/ }).waitFor({ timeout: 10000 })
  await shot(page, 'app-editor-en-saved')

  const side = JSON.parse(readFileSync(join(album, 'megabox.json'), 'utf8'))
  assert.equal(side.title, 'Night Drive (Remastered)')
  assert.equal(side.price_cents, 800)
  assert.deepEqual(side.tracks.map((t) => t.file), ['03.mp3', '02.mp3', '01.mp3'])
  assert.deepEqual(hashes(album), before, 'no audio file renamed or changed')

  // Reopened: the order and the title are read back from the folder.
  await page.reload()
  await page.click('nav [data-view=sync]')
  await card.locator('[data-testid=release-state][data-state=synced]').waitFor({ timeout: 60000 })
  assert.deepEqual(await order(card), ['Part 3', 'Part 2', 'Opening'])
  assert.equal(await card.locator('input[name=release-title]').inputValue(), 'Night Drive (Remastered)')
  assert.equal(await card.locator('input[name=price]').inputValue(), '8.00')

  // Publish, after the confirmation naming the title and the price.
  await card.locator('[data-testid=publish]').click()
  await card.locator('[data-testid=release-public]', { hasText: 'published' }).waitFor({ timeout: 60000 })
  assert.match(s.app.log(), /Publish “Night Drive \(Remastered\)” at €8\.00\? Fans will be able to buy it\./)
  await shot(page, 'app-editor-en-published')

  // The same editor in French, from a browser whose language is French.
  const fr = await chromium.launchPersistentContext(tempDir('mbx-chromium-fr-'), {
    executablePath: '/usr/bin/chromium', headless: true, locale: 'fr-FR', viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--lang=fr-FR', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const p = fr.pages()[0] || (await fr.newPage())
    await p.goto(s.app.url)
    await p.click('nav [data-view=sync]')
    const c = p.locator('article[data-release="Night Drive"]')
    await c.locator('[data-testid=release-state][data-state=synced]').waitFor({ timeout: 30000 })
    await c.locator('text=Glissez pour réordonner').waitFor()
    await c.locator('input[name=release-title]').fill('Night Drive (Remastered) ')
    await c.locator('[data-testid=save-status]', { hasText: /^Enregistré$/ }).waitFor({ timeout: 10000 })
    await p.screenshot({ path: join(shots, 'app-editor-fr.png') })
  } finally {
    await fr.close()
  }

  // The public page lists the tracks in the new order.
  const platform = 'http://' + readFileSync(join(s.app.home, 'platform', 'address'), 'utf8').trim()
  const web = await openBrowser(platform + '/@nova-harbor')
  try {
    await web.page.locator('a', { hasText: 'Night Drive (Remastered)' }).first().click()
    await web.page.locator('h1', { hasText: 'Night Drive (Remastered)' }).waitFor()
    const listed = await web.page.locator('li.track').evaluateAll((els) => els.map((e) => e.textContent))
    assert.equal(listed.length, 3)
    assert.match(listed[0], /Part 3/)
    assert.match(listed[1], /Part 2/)
    assert.match(listed[2], /Opening/)
  } finally {
    await web.close()
  }
  assert.deepEqual(hashes(album), before, 'publishing left the audio files alone')
})

test('a dropped file is refused beside the drop zone; a dropped folder is watched', { timeout: 120000 }, async () => {
  const { page } = s
  await page.click('nav [data-view=sync]')
  const music = tempDir('mbx-drop-')
  makeAlbum(music, 'Dropped', 1)
  // The native drop arrives as the runtime's wails:file-drop event.
  const drop = (paths) => page.evaluate((p) => window.wails.EventsNotify(JSON.stringify({ name: 'wails:file-drop', data: [10, 10, p] })), paths)
  await drop([join(music, 'Dropped', '01.mp3')])
  await page.locator('[data-testid=drop-results] [role=alert]', { hasText: '01.mp3 is a file: drop the folder that holds your releases.' }).waitFor()
  await drop([music])
  await page.locator('[data-testid=drop-results]', { hasText: `Now watching ${music}.` }).waitFor()
  await page.locator('article[data-release="Dropped"]').waitFor({ timeout: 60000 })
  // The hint shows while files are dragged over the window.
  await page.evaluate(() => {
    const dt = new DataTransfer()
    dt.items.add(new File(['x'], 'x.txt'))
    window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt }))
  })
  await page.locator('[data-testid=drop-hint]').waitFor()
  await shot(page, 'app-drop-hint-en')
  await page.evaluate(() => {
    const dt = new DataTransfer()
    dt.items.add(new File(['x'], 'x.txt'))
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt }))
  })
  await page.locator('[data-testid=drop-hint]').waitFor({ state: 'detached' })
})
