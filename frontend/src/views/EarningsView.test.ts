import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// The platform's answers, canned: the payout account the test moves on,
// and the pages the app was asked to open.
let account: Record<string, unknown> = {}
let onboarding: () => Promise<void> = () => Promise.resolve()
let accountAsked = 0
let setUps = 0
let payouts: Record<string, unknown>[] = []
const owned = { gross_cents: 1000, creator_cents: 900, platform_cents: 100, refunded_cents: 0, paid_out_cents: 0, pending_payout_cents: 0, available_cents: 900, disputed_cents: 0 }
let totals: Record<string, number> = { ...owned }
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({
  Rules: () => Promise.resolve({ currencies: ['EUR'], max_price_cents: 100_000_000, min_payout_cents: 1000, max_payees: 8 }),
  Split: (g: number) => Promise.resolve({ gross: g, creator: g * 0.9, platform: g * 0.1 }), // only asked for 10000
}))
vi.mock('../../wailsjs/go/app/EarningsAPI', () => ({
  Earnings: () => Promise.resolve({ earnings: { currency: 'EUR', totals, rows: [] }, offline: false }),
  Payouts: () => Promise.resolve(payouts),
  PayoutAccount: () => {
    accountAsked++
    return Promise.resolve({ ...account })
  },
  SetUpPayouts: () => {
    setUps++
    return onboarding()
  },
}))
import EarningsView from './EarningsView.vue'
import { makeI18n } from '../i18n'

const sandbox = { provider: 'sandbox', started: false, needs_onboarding: false, charges_enabled: true, payouts_enabled: true }
const stripeNew = { provider: 'stripe', started: false, needs_onboarding: true, charges_enabled: false, payouts_enabled: false }
const stripeDone = { provider: 'stripe', started: true, needs_onboarding: false, charges_enabled: true, payouts_enabled: true }

async function view(lang = 'en') {
  setActivePinia(createPinia())
  const w = mount(EarningsView, { global: { plugins: [makeI18n(lang)], stubs: { EarningsChart: true } }, attachTo: document.body })
  await flushPromises()
  return w
}

beforeEach(() => {
  totals = { ...owned }
  account = { ...sandbox }
  onboarding = () => Promise.resolve()
  accountAsked = 0
  setUps = 0
  payouts = []
})

describe('EarningsView payouts', () => {
  it('lists a payout by its day, amount and state in the user’s words, never by its id', async () => {
    payouts = [{ id: 4242, amount_cents: 1500, currency: 'EUR', state: 'pending', created_at: '2026-03-01T12:00:00Z', items: [] }]
    for (const [lang, want] of [['en', 'Mar 1, 2026 · €15.00 · requested'], ['fr', '1 mars 2026 · 15,00 € · demandé']] as const) {
      const w = await view(lang)
      expect(w.get('[data-testid=payout]').text().replace(/\s/g, ' ')).toBe(want)
      expect(w.text()).not.toContain('4242')
      expect(w.text()).not.toContain('pending')
      w.unmount()
    }
  })
})

describe('EarningsView payout account', () => {
  it('changes nothing in sandbox mode: payouts are requested as before', async () => {
    const w = await view()
    expect(accountAsked).toBe(1)
    expect(w.find('[data-testid=payout-form]').exists()).toBe(true)
    expect(w.find('[data-testid=payout-setup]').exists()).toBe(false)
    expect(w.find('[data-testid=payout-connected]').exists()).toBe(false)
    window.dispatchEvent(new Event('focus'))
    await flushPromises()
    expect(accountAsked).toBe(1)
    w.unmount()
  })
  it('offers to set up payouts with Stripe, opens it, and checks again when the window is back', async () => {
    account = { ...stripeNew }
    const w = await view()
    const setup = w.get('[data-testid=payout-setup]')
    expect(setup.text()).toContain('Fans can buy your releases once your Stripe account can take payments')
    expect(w.find('[data-testid=payout-form]').exists()).toBe(false)
    await setup.get('button').trigger('click')
    await flushPromises()
    expect(setUps).toBe(1)
    expect(w.get('[data-testid=payout-setup] [role=status]').text()).toBe('Finish in your browser; this page updates when you come back.')

    // Still not done when the window is back: still offered, now to continue.
    account = { ...stripeNew, started: true }
    window.dispatchEvent(new Event('focus'))
    await flushPromises()
    expect(accountAsked).toBe(2)
    expect(w.get('[data-testid=payout-setup] button').text()).toBe('Continue setting up payouts')

    account = { ...stripeDone }
    window.dispatchEvent(new Event('focus'))
    await flushPromises()
    expect(accountAsked).toBe(3)
    expect(w.find('[data-testid=payout-setup]').exists()).toBe(false)
    expect(w.get('[data-testid=payout-connected]').text()).toBe('Your 90% is paid into your Stripe account at each sale.')
    expect(w.find('[data-testid=payout-form]').exists()).toBe(false)

    // Settled: focus asks nothing more.
    window.dispatchEvent(new Event('focus'))
    await flushPromises()
    expect(accountAsked).toBe(3)
    w.unmount()
    window.dispatchEvent(new Event('focus'))
    expect(accountAsked).toBe(3)
  })
  it('says when Stripe has not enabled payouts to the bank yet, in French too', async () => {
    account = { ...stripeDone, payouts_enabled: false }
    const w = await view('fr')
    const note = w.get('[data-testid=payout-connected]').text()
    expect(note).toMatch(/^Vos 90\s% sont versés sur votre compte Stripe à chaque vente\./)
    expect(note).toContain('Stripe n’a pas encore activé les virements vers votre banque.')
    w.unmount()
  })
  it('shows why setting up failed next to the button', async () => {
    account = { ...stripeNew }
    onboarding = () => Promise.reject('{"code":"conflict","message":"nothing to set up"}')
    const w = await view()
    await w.get('[data-testid=payout-setup] button').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=payout-setup] [data-testid=error]').text()).toBe('Payouts are already set up, or there is nothing to set up.')
    expect(w.find('[data-testid=payout-setup] [role=status]').exists()).toBe(false)
    w.unmount()
  })
})

describe('EarningsView totals', () => {
  it('names the 90 % of releases the creator keeps whole, and shows no dispute', async () => {
    const w = await view()
    expect(w.text()).toContain('Your 90%')
    expect(w.find('[data-testid=total-disputed]').exists()).toBe(false)
    w.unmount()
  })
  it('says "your share" to a collaborator, and shows disputed money apart', async () => {
    totals = { ...owned, gross_cents: 999, creator_cents: 270, platform_cents: 99, available_cents: 90, disputed_cents: 180 }
    const w = await view()
    expect(w.get('[data-testid=total-creator]').element.parentElement?.textContent).toContain('Your share')
    expect(w.text()).not.toContain('Your 90%')
    const d = w.get('[data-testid=total-disputed]')
    expect(d.text()).toContain('€1.80')
    expect(d.text()).toContain('Frozen until the fan’s bank decides the dispute.')
    w.unmount()
  })
})
