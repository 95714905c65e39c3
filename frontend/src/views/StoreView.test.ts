import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, getActivePinia } from 'pinia'

// The platform's split, canned: the note must show it, not work it out.
const splits: Record<number, { gross: number; creator: number; platform: number }> = {
  600: { gross: 600, creator: 540, platform: 60 },
  999: { gross: 999, creator: 900, platform: 99 },
}
// One checkout whose state the test moves on.
let checkout: any = null
const created: any[][] = []
let polls = 0
let reopened = 0
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({ Split: (g: number) => Promise.resolve(splits[g]) }))
vi.mock('../../wailsjs/go/app/LibraryAPI', () => ({
  Sync: () => Promise.resolve({}), Releases: () => Promise.resolve([]), Status: () => Promise.resolve({ dir: '/music' }),
}))
let signIns = 0
vi.mock('../../wailsjs/go/app/AccountAPI', () => ({
  SignIn: (email: string, pw: string) => {
    signIns++
    if (pw !== 'right password') return Promise.reject('{"code":"unauthorized","message":"wrong email or password"}')
    return Promise.resolve({ id: 2, email, display_name: 'Fan', creator: false })
  },
}))
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  Search: () => Promise.resolve({ items: [], next_cursor: '' }),
  Release: (id: number) => Promise.resolve({ id, title: 'Copper Hours', price_cents: 600, currency: 'EUR', tracks: [] }),
  Owned: () => Promise.resolve(''),
  Checkout: (...a: any[]) => {
    created.push(a)
    if (a[2] < 300) return Promise.reject('{"code":"invalid","message":"pay at least €3.00","field":"amount_cents"}')
    if (a[2] === 666) return Promise.reject('{"code":"conflict","message":"you own this release already"}')
    checkout = { id: 'cs_' + created.length, state: 'open', url: 'http://127.0.0.1:1/pay/x', amount_cents: a[2], currency: 'EUR', expires_at: new Date(Date.now() + 30 * 60_000).toISOString() }
    return Promise.resolve(checkout)
  },
  CheckoutState: () => {
    polls++
    return Promise.resolve(checkout)
  },
  OpenCheckout: () => {
    reopened++
    return Promise.resolve(checkout)
  },
}))
import StoreView from './StoreView.vue'
import { useAccount } from '../stores/account'
import { makeI18n } from '../i18n'
import { mountStore } from './StoreView.mount'

let pinia = createPinia()
async function mountRelease(lang = 'en', signedIn = true) {
  const w = await mountStore(7, lang, () => {
    if (signedIn) useAccount().me = { id: 2, email: 'fan@example.com', display_name: 'Fan', creator: false } as any
  })
  pinia = getActivePinia()!
  return w
}

// tick lets the view's once-a-second poll run.
async function tick() {
  await vi.advanceTimersByTimeAsync(1000)
  await flushPromises()
}

describe('StoreView checkout', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    checkout = null
    created.length = 0
    polls = 0
    reopened = 0
  })
  afterEach(() => vi.useRealTimers())

  it('splits the amount as the fan types it, as the platform will book it', async () => {
    const w = await mountRelease()
    const note = () => w.get('[data-testid=store-split]').text()
    expect(note()).toBe('Of what you pay, €5.40 goes to the artist and €0.60 to Megabox.')
    await w.get('input[name=amount]').setValue('9.99')
    await flushPromises()
    expect(note()).toBe('Of what you pay, €9.00 goes to the artist and €0.99 to Megabox.')
    await w.get('input[name=amount]').setValue('nine')
    await flushPromises()
    expect(note()).toBe('')
  })

  it('has no card field: paying opens the page, waits for the platform, then shows the purchase', async () => {
    const w = await mountRelease()
    expect(w.find('input[name=card]').exists()).toBe(false)
    const pay = w.get('form.checkout button[type=submit]')
    expect(pay.text()).toBe('Pay €6.00 by card…')
    await pay.trigger('submit')
    await flushPromises()
    expect(created.length).toBe(1)
    const waiting = w.get('[data-testid=waiting]')
    expect(waiting.text()).toContain('Complete the payment in your browser…')
    expect(waiting.text()).toContain('Megabox is waiting to hear that €6.00 was paid.')
    expect(w.find('form.checkout').exists()).toBe(false)

    await tick()
    expect(polls).toBe(1)
    await tick()
    expect(polls).toBe(2)
    await w.get('[data-testid=waiting] button').trigger('click') // open the page again
    await flushPromises()
    expect(reopened).toBe(1)

    checkout = { ...checkout, state: 'paid', purchase: { id: 9, gross_cents: 600, creator_cents: 540, platform_cents: 60, currency: 'EUR' } }
    await tick()
    const owned = w.get('[data-testid=owned]')
    expect(owned.text()).toContain('You own this.')
    expect(w.get('[data-testid=purchase]').text()).toBe('You paid €6.00: €5.40 to the artist, €0.60 to Megabox.')
    expect(owned.findAll('button').map((b) => b.text())).toEqual(['Play', 'Open your library'])
    const after = polls
    await tick()
    await tick()
    expect(polls).toBe(after) // no more asking once paid
  })

  it('stops asking when the page is left or the fan cancels', async () => {
    let w = await mountRelease()
    await w.get('form.checkout').trigger('submit')
    await flushPromises()
    await tick()
    expect(polls).toBe(1)
    w.unmount()
    await tick()
    await tick()
    expect(polls).toBe(1)

    // Coming back resumes waiting for the same page.
    w = mount(StoreView, { global: { plugins: [makeI18n('en'), pinia] } })
    await flushPromises()
    expect(w.find('[data-testid=waiting]').exists()).toBe(true)
    await tick()
    expect(polls).toBe(2)

    const cancel = w.findAll('[data-testid=waiting] button').find((b) => b.text() === 'Cancel')!
    await cancel.trigger('click')
    await flushPromises()
    expect(w.find('[data-testid=waiting]').exists()).toBe(false)
    expect(w.find('form.checkout').exists()).toBe(true)
    await tick()
    await tick()
    expect(polls).toBe(2)
  })

  it('an expired page says so in the fan’s language and offers Pay again', async () => {
    const w = await mountRelease('fr')
    await w.get('form.checkout').trigger('submit')
    await flushPromises()
    checkout = { ...checkout, state: 'expired' }
    await tick()
    expect(w.get('[data-testid=ended]').text()).toBe('La page de paiement a expiré avant le paiement. Rien n’a été débité — vous pouvez réessayer.')
    expect(w.get('form.checkout button[type=submit]').text().replace(/\s/g, ' ')).toBe('Payer 6,00 € par carte…')
    await w.get('form.checkout').trigger('submit')
    await flushPromises()
    expect(created[1][0]).not.toBe(created[0][0])
    expect(w.find('[data-testid=ended]').exists()).toBe(false)
  })

  it('puts an amount error under the amount and any other under Pay', async () => {
    const w = await mountRelease()
    await w.get('input[name=amount]').setValue('2.00')
    await w.get('form.checkout').trigger('submit')
    await flushPromises()
    expect(w.get('#amount-error').text()).toBe('Pay at least €6.00.')
    expect(w.get('input[name=amount]').attributes('aria-describedby')).toBe('amount-error')
    expect(w.find('#pay-error').exists()).toBe(false)

    await w.get('input[name=amount]').setValue('6.66')
    await w.get('form.checkout').trigger('submit')
    await flushPromises()
    expect(w.get('#pay-error').text()).toBe('You own this release already: it is in your library.')
    expect(w.find('#amount-error').exists()).toBe(false)
  })

  it('asks a signed-out fan to sign in at Pay, then goes on to the payment page', async () => {
    const w = await mountRelease('en', false)
    expect(w.find('[data-testid=signin-form]').exists()).toBe(false)
    await w.get('form.checkout').trigger('submit')
    await flushPromises()
    expect(created).toHaveLength(0)
    const form = w.get('[data-testid=signin-form]')
    expect(form.text()).toContain('Sign in or create an account to pay: you come straight back here.')
    await form.get('input[name=email]').setValue('fan@example.com')
    await form.get('input[name=password]').setValue('wrong')
    await form.trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=signin-error]').text()).toBe('Wrong email or password.')
    expect(created).toHaveLength(0)
    await form.get('input[name=password]').setValue('right password')
    await form.trigger('submit')
    await flushPromises()
    expect(signIns).toBe(2)
    expect(created).toHaveLength(1)
    expect(created[0][2]).toBe(600)
    expect(w.find('[data-testid=signin-form]').exists()).toBe(false)
    expect(w.get('[data-testid=waiting]').text()).toContain('Complete the payment in your browser')
  })
})
