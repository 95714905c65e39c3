// End-to-end: the store as a fan and a creator see it. A release page keeps
// its checkout across navigation, errors stay with the form that caused
// them, owned releases are never offered for sale, sign-out leaves nothing
// behind, and an unreachable platform reads as offline.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { sharedApp, startApp, openBrowser, signIn, shot, creator, fan } from './lib.mjs'

const declined = '4000000000000002'
const good = '4242424242424242'

const br = sharedApp()

async function openRelease(page, title) {
  await page.click('nav [data-view=store]')
  const back = page.locator('button', { hasText: /Back$/ })
  if (await back.isVisible()) await back.click()
  await page.click(`.tile:has-text("${title}")`)
  await page.locator('h1', { hasText: title }).waitFor()
}

test('a release page keeps its amount, errors stay with the checkout, a bought release is not for sale', { timeout: 300000 }, async () => {
  const { page, pageErrors } = br
  await signIn(page, fan)
  await openRelease(page, 'Copper Hours')
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
  assert.equal(await pay.textContent(), 'Pay €7.50')
  assert.equal(await pay.isEnabled(), true)

  // A declined card: the message sits in the checkout form, under Pay.
  await page.fill('input[name=card]', declined)
  await pay.click()
  const payError = page.locator('form.checkout #pay-error')
  await payError.waitFor()
  assert.match(await payError.textContent(), /declined/i)
  assert.equal(await pay.getAttribute('aria-describedby'), 'pay-error')
  await shot(page, 'store-1-declined')
  // …and does not follow the fan to another page, nor back.
  await page.click('nav [data-view=library]')
  await page.locator('h1', { hasText: 'Your library' }).waitFor()
  assert.equal(await page.locator('[role=alert]').count(), 0, 'no error on the library page')
  await page.click('nav [data-view=store]')
  await page.locator('h1', { hasText: 'Copper Hours' }).waitFor()
  assert.equal(await page.locator('[role=alert]').count(), 0, 'no error back on the release page')

  // The good card pays the amount on screen.
  await page.fill('input[name=card]', good)
  await pay.click()
  await page.locator('[data-testid=owned]', { hasText: 'Bought! It is in your library.' }).waitFor()
  assert.equal(await page.locator('form.checkout').count(), 0, 'no Pay once bought')

  // Opened again later, it says where it is instead of offering Pay.
  await page.click('nav [data-view=library]')
  await page.locator('h1', { hasText: 'Your library' }).waitFor()
  await openRelease(page, 'Copper Hours')
  await page.locator('[data-testid=owned]', { hasText: 'In your library.' }).waitFor()
  assert.equal(await page.locator('button', { hasText: /^Pay/ }).count(), 0)
  // So does the release the demo fan bought before.
  await openRelease(page, 'Tidal Lines')
  await page.locator('[data-testid=owned]', { hasText: 'In your library.' }).waitFor()
  assert.equal(await page.locator('button', { hasText: /^Pay/ }).count(), 0)
  await shot(page, 'store-2-owned')
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
  assert.equal(await page.locator('button', { hasText: /^Pay/ }).count(), 0)
  await shot(page, 'store-3-yours')
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
    await page.click('nav [data-view=store]')
    const note = page.locator('[role=alert]', { hasText: "Can't reach Megabox. Your library still plays offline." })
    await note.waitFor()
    const text = await page.locator('main').textContent()
    assert.doesNotMatch(text, /No releases found/)
    assert.doesNotMatch(text, /dial tcp|127\.0\.0\.1|connection refused/)
    await shot(page, 'store-4-offline')
    assert.deepEqual(pageErrors, [])
  } finally {
    await b.close()
    await offline.stop()
  }
})
