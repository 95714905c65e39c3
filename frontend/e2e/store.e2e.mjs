// End-to-end: the store as a fan and a creator see it. A fan buys through
// the hosted payment page, opened by the app in the system browser; the app
// learns of the sale from the platform and shows it, and the library has
// it, without a reload. A release page keeps its checkout across
// navigation, errors stay with what caused them, owned releases are never
// offered for sale, sign-out leaves nothing behind, and an unreachable
// platform reads as offline.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sharedApp, startApp, openBrowser, signIn, answerWelcome, shot, until, creator, fan, startCheckout, payOnPage, goodCard, declinedCard } from './lib.mjs'

const br = sharedApp()

async function openRelease(page, title) {
  await page.click('nav [data-view=store]')
  const back = page.locator('button', { hasText: /Back$/ })
  if (await back.isVisible()) await back.click()
  await page.click(`.tile:has-text("${title}")`)
  await page.locator('h1', { hasText: title }).waitFor()
}

// statePolls counts the app's questions to the platform about a checkout,
// as they cross the bridge from the window to Go.
function statePolls(page) {
  const seen = { n: 0 }
  page.on('websocket', (ws) => ws.on('framesent', (f) => { if (String(f.payload).includes('StoreAPI.CheckoutState')) seen.n++ }))
  return seen
}

test('a fan pays on the hosted page and the app shows the purchase and the library has it, without a reload', { timeout: 300000 }, async () => {
  const { page, pageErrors } = br
  const polls = statePolls(page)
  await page.reload() // so the bridge's socket is watched from its start
  await signIn(page, fan)
  await openRelease(page, 'Copper Hours')
  assert.equal(await page.locator('input[name=card]').count(), 0, 'no card field in the app')
  const amount = page.locator('input[name=amount]')
  assert.equal(await amount.inputValue(), '6.00')
  await amount.fill('7.50')

  // Leave and come back: the same page, the same amount, Pay ready.
  await page.click('nav [data-view=library]')
  await page.locator('h1', { hasText: 'Your library' }).waitFor()
  await page.click('nav [data-view=store]')
  await page.locator('h1', { hasText: 'Copper Hours' }).waitFor()
  assert.equal(await amount.inputValue(), '7.50')
  const pay = page.locator('form.checkout button[type=submit]')
  assert.equal(await pay.textContent(), 'Pay €7.50 by card…')

  // An amount under the minimum: the platform's answer sits under the
  // amount, and no page opens.
  await amount.fill('1.00')
  await pay.click()
  const amountError = page.locator('form.checkout #amount-error')
  await amountError.waitFor()
  assert.match(await amountError.textContent(), /3\.00/)
  assert.equal(await amount.getAttribute('aria-describedby'), 'amount-error')
  assert.deepEqual(br.app.openedPages(), [])
  await amount.fill('7.50')

  // Pay: the app opens the platform's payment page in the system browser
  // and waits for the platform to confirm.
  await page.evaluate(() => { window.__sameDocument = true })
  const url = await startCheckout(br)
  const platform = readFileSync(join(br.app.home, 'platform', 'address'), 'utf8').trim()
  assert.match(url, new RegExp(`^http://${platform.replace(/\./g, '\\.')}/pay/cs_sb_[\\w-]+$`))
  const waiting = page.locator('[data-testid=waiting]')
  assert.match(await waiting.textContent(), /Complete the payment in your browser…/)
  assert.match(await waiting.textContent(), /€7\.50/)
  await shot(page, 'store-1-waiting')

  // The fan's browser: a declined card is refused there; the app keeps waiting.
  const tab = await br.ctx.newPage()
  await tab.goto(url)
  assert.match(await tab.locator('[data-testid=amount]').textContent(), /7\.50/)
  await shot(tab, 'store-2-hosted')
  await payOnPage(br, url, declinedCard, tab)
  assert.match(await tab.locator('[data-testid=error]').textContent(), /declined/i)
  await shot(tab, 'store-2b-hosted-declined')
  const after = polls.n
  await until('the app to ask the platform twice more', () => polls.n >= after + 2, 15000)
  assert.equal(await waiting.isVisible(), true, 'still waiting after a declined card')
  assert.equal(await page.locator('[role=alert]').count(), 0, 'no error in the app for a card refused on the page')
  assert.equal(br.app.openedPages().length, 1)

  // The good card: the page says so, and the app shows the sale.
  await payOnPage(br, url, goodCard, tab)
  assert.match(await tab.locator('[data-testid=paid]').textContent(), /Payment received/)
  await shot(tab, 'store-2c-hosted-paid')
  const owned = page.locator('[data-testid=owned]')
  await owned.locator('text=You own this.').waitFor()
  assert.equal(await page.locator('[data-testid=purchase]').textContent(), 'You paid €7.50: €6.75 to the artist, €0.75 to Megabox.')
  assert.equal(await waiting.count(), 0)
  await shot(page, 'store-4-paid')
  await tab.close()
  // Play plays it, once its files are in the library.
  await owned.locator('button', { hasText: /^Play$/ }).click()
  await page.locator('[data-testid=now-title]', { hasText: 'Copper Morning' }).waitFor({ timeout: 60000 })

  // The library has it, in the same document: no reload, no restart.
  await owned.locator('button', { hasText: 'Open your library' }).click()
  await page.locator('h1', { hasText: 'Your library' }).waitFor()
  await page.locator('[data-library-release="Copper Hours"]').waitFor({ timeout: 60000 })
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the window was reloaded')
  await shot(page, 'store-5-library')

  // Opened again later, it offers Play instead of Pay.
  await openRelease(page, 'Copper Hours')
  await page.locator('[data-testid=own-play]', { hasText: 'You own this — Play' }).waitFor()
  assert.equal(await page.locator('form.checkout').count(), 0)
  // So does the release the demo fan bought before.
  await openRelease(page, 'Tidal Lines')
  await page.locator('[data-testid=own-play]', { hasText: 'You own this — Play' }).waitFor()
  assert.equal(await page.locator('form.checkout').count(), 0)
  assert.deepEqual(pageErrors, [])
})

test('a creator is never offered their own release, and sign-out leaves no page behind', { timeout: 300000 }, async () => {
  const { page, pageErrors } = br
  await signIn(page, fan)
  await openRelease(page, 'Tidal Lines')

  await signIn(page, creator) // signs the fan out first
  await page.click('nav [data-view=store]')
  await page.locator('input[name=q]').waitFor()
  assert.equal(await page.locator('h1', { hasText: 'Tidal Lines' }).count(), 0, 'the fan’s release page carried over')
  assert.equal(await page.locator('input[name=q]').inputValue(), '')

  await openRelease(page, 'Copper Hours')
  await page.locator('[data-testid=owned]', { hasText: 'Your release' }).waitFor()
  assert.equal(await page.locator('form.checkout').count(), 0)
  await shot(page, 'store-6-yours')
  assert.deepEqual(pageErrors, [])
})

function closedPort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

test('with the platform unreachable the store says so plainly', { timeout: 300000 }, async () => {
  const offline = await startApp({ env: { MEGABOX_PLATFORM: `http://127.0.0.1:${await closedPort()}` } })
  const b = await openBrowser(offline.url)
  try {
    const { page, pageErrors } = b
    await answerWelcome(page) // a listener lands on the store
    await page.click('nav [data-view=library]')
    await page.click('nav [data-view=store]')
    const note = page.locator('[role=alert]', { hasText: "Can't reach Megabox. Your library still plays offline." })
    await note.waitFor()
    const text = await page.locator('main').textContent()
    assert.doesNotMatch(text, /No releases found/)
    assert.doesNotMatch(text, /dial tcp|127\.0\.0\.1|connection refused/)
    await shot(page, 'store-7-offline')
    assert.deepEqual(pageErrors, [])
  } finally {
    await b.close()
    await offline.stop()
  }
})
