// End-to-end: the open web. A creator publishes from the app; a fan who
// has never used Megabox finds the release on the platform's public
// pages, hears a preview (and cannot fetch past its end), signs up, pays
// on the hosted page, finds the release theirs, downloads the zip (the
// masters byte for byte and a receipt that verifies), and then finds the
// same purchase in the desktop app's library.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createPublicKey, verify } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { sharedApp, openBrowser, signIn, shot, creator, tempDir, makeAlbum, addFolder, goodCard } from './lib.mjs'

const br = sharedApp()
const title = 'Harbour Lights'

const sha256 = (b) => createHash('sha256').update(b).digest('hex')

// axe-core, injected by DevTools evaluation: the pages' CSP allows no
// script but their own, and evaluation is not held to it.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const axeFindings = []

// audit runs axe on the page as it stands and keeps its serious and
// critical violations, named by page, to assert on at the end (one run
// shows every page's).
async function audit(page, name) {
  await page.waitForLoadState('load')
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource)
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] })
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ') + (n.failureSummary ? ' (' + n.failureSummary.replace(/\s+/g, ' ') + ')' : '')).join('; ')}`)
  })
  for (const f of found) axeFindings.push(`${name}: ${f}`)
}

// unzip reads a zip's entries (stored or deflated) from its central
// directory: name → bytes.
function unzip(buf) {
  let eocd = buf.length - 22
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--
  assert.ok(eocd >= 0, 'no end of central directory')
  const count = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  const out = new Map()
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50)
    const method = buf.readUInt16LE(p + 10)
    const size = buf.readUInt32LE(p + 20)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8')
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const data = buf.subarray(start, start + size)
    out.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data))
    p += 46 + nameLen + extraLen + commentLen
  }
  return out
}

// verifyReceipt checks a receipt's EdDSA signature against the
// platform's published keys.
async function verifyReceipt(platform, jws) {
  const [h, payload, sig] = jws.trim().split('.')
  const header = JSON.parse(Buffer.from(h, 'base64url').toString())
  const { keys } = await (await fetch(platform + '/api/v1/receipts/keys')).json()
  const jwk = keys.find((k) => k.kid === header.kid)
  assert.ok(jwk, 'receipt key ' + header.kid + ' is published')
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' })
  assert.equal(verify(null, Buffer.from(h + '.' + payload), key, Buffer.from(sig, 'base64url')), true, 'receipt signature')
  return JSON.parse(Buffer.from(payload, 'base64url').toString())
}

// publish has the demo creator choose a handle and publish a synced
// folder at a price; it returns the album's directory.
async function publish(page) {
  await signIn(page, creator)
  await page.click('nav [data-view=account]')
  const form = page.locator('form[data-testid=profile]')
  await form.waitFor()
  await page.fill('input[name=handle]', 'nova-harbor')
  await form.locator('button[type=submit]').click()
  await page.locator('[data-testid=profile-saved]').waitFor()

  const music = tempDir('mbx-music-')
  const album = makeAlbum(music, title, 2)
  await addFolder(page, music)
  const card = page.locator(`article[data-release="${title}"]`)
  await card.waitFor()
  await card.locator('[data-testid=release-state][data-state=synced]').waitFor({ timeout: 60000 })
  await card.locator('input[name=price]').fill('4.00')
  await card.locator('[data-testid=split-preview]').filter({ hasText: '€4.00' }).waitFor({ timeout: 10000 })
  await card.locator('text=Save price').click()
  await card.locator('[data-testid=release-state][data-state=synced]').waitFor()
  await card.locator('button', { hasText: /^Publish$/ }).click()
  await card.locator('[data-testid=release-public]', { hasText: 'published' }).waitFor()
  return album
}

test('a fan finds, hears, buys and downloads a release on the web, and the app has it', { timeout: 300000 }, async () => {
  const album = await publish(br.page)
  const masters = readdirSync(album).filter((f) => f.endsWith('.mp3')).map((f) => sha256(readFileSync(join(album, f)))).sort()
  const platform = 'http://' + readFileSync(join(br.app.home, 'platform', 'address'), 'utf8').trim()
  const email = `webfan${Date.now()}@example.com`
  const password = 'a long web password'

  const web = await openBrowser(platform + '/')
  try {
    const { page, pageErrors } = web
    await audit(page, 'discover')
    await page.goto(platform + '/@nova-harbor')
    await page.locator('a[data-follow-signin]').waitFor()
    await audit(page, 'artist')
    await page.goto(platform + '/')
    // Discover → the release page.
    await page.locator('.release-card', { hasText: title }).locator('a').click()
    await page.locator('h1', { hasText: title }).waitFor()
    const releaseURL = page.url()
    assert.match(releaseURL, /\/@nova-harbor\/harbour-lights$/)
    assert.match(await page.locator('[data-split]').textContent(), /3\.60 EUR to the artist, 0\.40 EUR to Megabox/)
    await audit(page, 'release, signed out')

    // A preview plays: its audio element advances.
    await page.locator('button.play-track').first().click()
    await page.waitForFunction(() => document.querySelector('li.track audio').currentTime > 0.5, null, { timeout: 20000 })
    await page.locator('[data-act=toggle]').click()
    // Nobody but an owner reaches past the preview's end.
    const preview = platform + (await page.locator('li.track audio').first().getAttribute('src'))
    const whole = Buffer.from(await (await fetch(preview)).arrayBuffer())
    const beyond = await fetch(preview, { headers: { Range: `bytes=${whole.length}-` } })
    assert.equal(beyond.status, 416, 'a range past the preview')
    await beyond.arrayBuffer()
    const master = readFileSync(join(album, readdirSync(album).filter((f) => f.endsWith('.mp3')).sort()[0]))
    assert.ok(whole.length < master.length, `the preview (${whole.length} bytes) is shorter than the master (${master.length})`)

    // Sign in to buy → create an account → back on the release page.
    await page.click('a[data-signin]')
    await page.locator('h1', { hasText: 'Sign in' }).waitFor()
    await shot(page, 'web-signin-1280')
    await audit(page, 'sign-in')
    await page.click('a:has-text("Create an account")')
    await page.fill('input[name=display_name]', 'Web Fan')
    await page.fill('input[name=email]', email)
    await page.fill('input[name=password]', password)
    await page.click('form.form button[type=submit]')
    await page.locator('a[data-user]', { hasText: 'Web Fan' }).waitFor()
    assert.equal(page.url(), releaseURL)

    // Buy: the amount starts at the price; the hosted page takes the card.
    const amount = page.locator('input[name=amount]')
    assert.equal(await amount.inputValue(), '4.00')
    await page.check('input[name=share_email]')
    await page.click('form[data-buy-form] button[type=submit]')
    await page.waitForURL(/\/pay\/cs_sb_/)
    assert.match(await page.locator('[data-testid=amount]').textContent(), /4\.00 EUR/)
    await page.fill('input[name=card]', goodCard)
    await page.click('button[type=submit]')
    await page.locator('[data-testid=paid]').waitFor()

    // Back on the release page: it is theirs.
    await page.goto(releaseURL)
    await page.locator('[data-owned]', { hasText: 'You own this.' }).waitFor()
    assert.equal(await page.locator('form[data-buy-form]').count(), 0)
    assert.match(await page.locator('a[data-app]').getAttribute('href'), /^megabox:\/\/release\/\d+$/)
    await shot(page, 'web-owned-1280')
    await audit(page, 'release, owned')
    await page.emulateMedia({ colorScheme: 'dark' })
    await audit(page, 'release, owned, dark')
    await page.emulateMedia({ colorScheme: 'light' })

    // The zip: the masters byte for byte, a receipt that verifies.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('a[data-zip]')])
    const entries = unzip(readFileSync(await dl.path()))
    const mp3s = [...entries].filter(([n]) => n.endsWith('.mp3')).map(([, b]) => sha256(b)).sort()
    assert.deepEqual(mp3s, masters)
    const jws = [...entries].find(([n]) => n.endsWith('receipt.jws'))
    assert.ok(jws, 'receipt.jws in ' + [...entries.keys()].join(', '))
    const claims = await verifyReceipt(platform, jws[1].toString())
    assert.equal(claims.release_title, title)
    assert.equal(claims.fan_name, 'Web Fan')
    assert.equal(claims.gross_cents, 400)
    assert.equal(claims.creator_cents, 360)
    assert.deepEqual(claims.tracks.map((t) => t.sha256).sort(), masters, 'the receipt names the masters')

    // The library page lists it.
    await page.click('a[data-user]')
    await page.locator(`[data-owned="${title}"]`).waitFor()
    await audit(page, 'library')

    // Follow the artist from their page, signed in.
    await page.goto(platform + '/@nova-harbor')
    await page.click('form[data-follow-form] button[data-follow]')
    await page.locator('form[data-follow-form] button[data-following]').waitFor()
    assert.equal(page.url(), platform + '/@nova-harbor')
    await audit(page, 'artist, following')

    // Show the collection: a handle and the box ticked in the settings.
    await page.click('a[data-settings-link]')
    await page.fill('#f-handle', 'web-fan')
    await page.fill('#f-bio', 'Night buses and field recordings.')
    await page.check('#f-public_collection')
    await page.click('form[action="/settings"] button[type=submit]')
    await page.locator('[data-saved]').waitFor()
    await audit(page, 'settings')
    await shot(page, 'web-settings')
    await page.click('a[data-collection-link]')
    await page.locator('.card-title', { hasText: title }).waitFor()
    assert.equal(page.url(), platform + '/@web-fan/collection')
    assert.equal(await page.locator('h1').innerText(), 'Web Fan’s collection')
    await audit(page, 'collection')
    await shot(page, 'web-collection')

    // Phone width.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.reload()
    await shot(page, 'web-collection-390')
    await page.goto(platform + '/settings')
    await shot(page, 'web-settings-390')
    await page.goto(releaseURL)
    await page.locator('[data-owned]').waitFor()
    await shot(page, 'web-owned-390')
    await page.click('form[action="/signout"] button')
    await page.click('a[data-signin-link]')
    await page.locator('h1', { hasText: 'Sign in' }).waitFor()
    await shot(page, 'web-signin-390')
    await audit(page, 'sign-in, 390 px')
    assert.deepEqual(pageErrors, [])
    assert.deepEqual(axeFindings, [], 'axe: no serious or critical violation')
  } finally {
    await web.close()
  }

  // The desktop app, signed in as the same fan: the purchase is there.
  const { page, pageErrors } = br
  await signIn(page, email, password)
  await page.click('nav [data-view=library]')
  await page.locator(`[data-library-release="${title}"]`).waitFor({ timeout: 60000 })
  await shot(page, 'web-app-library')
  assert.deepEqual(pageErrors, [])
})
