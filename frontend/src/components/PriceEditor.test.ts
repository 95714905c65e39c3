import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'

// The platform's answers, canned: the editor must show them, not work
// them out.
const splits: Record<number, { gross: number; creator: number; platform: number } | Promise<never>> = {}
const refusals: Record<string, { code: string; field: string; message: string }> = {}
const asked: number[] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({
  Rules: () => Promise.resolve({ currencies: ['AUD', 'EUR', 'USD'], max_price_cents: 100_000_000 }),
  Split: (g: number) => {
    asked.push(g)
    return g in splits ? Promise.resolve(splits[g]) : Promise.reject('{"code":"internal","message":"no canned split"}')
  },
  CheckPrice: (...a: unknown[]) => {
    const e = refusals[JSON.stringify(a)]
    return e ? Promise.reject(JSON.stringify(e)) : Promise.resolve()
  },
}))
import PriceEditor from './PriceEditor.vue'
import { ApiError } from '../api'
import { makeI18n } from '../i18n'

async function editor(props: Record<string, unknown> = {}) {
  const w = mount(PriceEditor, { props: { priceCents: 1000, currency: 'EUR', pwyw: false, minCents: 0, ...props }, global: { plugins: [makeI18n('en'), createPinia()] } })
  await flushPromises()
  return w
}

async function type(w: Awaited<ReturnType<typeof editor>>, name: string, text: string) {
  await w.get(`input[name=${name}]`).setValue(text)
  await flushPromises()
}

beforeEach(() => {
  for (const k of Object.keys(splits)) delete splits[Number(k)]
  for (const k of Object.keys(refusals)) delete refusals[k]
  asked.length = 0
  Object.assign(splits, { 1000: { gross: 1000, creator: 900, platform: 100 }, 999: { gross: 999, creator: 900, platform: 99 }, 1250: { gross: 1250, creator: 1125, platform: 125 },
    300: { gross: 300, creator: 270, platform: 30 }, 500: { gross: 500, creator: 450, platform: 50 }, 200_000_000: { gross: 200_000_000, creator: 180_000_000, platform: 20_000_000 } })
  refusals[JSON.stringify([200_000_000, 'EUR', false, 0])] = { code: 'invalid', field: 'price_cents', message: 'must be between 0 and 1000000.00 EUR' }
  refusals[JSON.stringify([500, 'EUR', true, 1200])] = { code: 'invalid', field: 'min_cents', message: 'must not exceed the suggested price' }
})

describe('PriceEditor', () => {
  it('previews the platform’s split as the creator types', async () => {
    const w = await editor()
    expect(w.get('[data-testid=split-preview]').text()).toBe('Fan pays €10.00 → you get €9.00, Megabox €1.00')
    await type(w, 'price', '9.99')
    expect(asked).toContain(999)
    expect(w.get('[data-testid=split-preview]').text()).toBe('Fan pays €9.99 → you get €9.00, Megabox €0.99')
  })
  it('keeps the answer to the newest amount when an older one answers late', async () => {
    let answerLate!: (v: unknown) => void
    splits[111] = new Promise<unknown>((resolve) => (answerLate = resolve)) as Promise<never>
    const w = await editor()
    await type(w, 'price', '1.11')
    await type(w, 'price', '9.99')
    answerLate({ gross: 111, creator: 100, platform: 11 })
    await flushPromises()
    expect(w.get('[data-testid=split-preview]').text()).toBe('Fan pays €9.99 → you get €9.00, Megabox €0.99')
  })
  it('offers the platform’s currencies', async () => {
    const w = await editor()
    expect(w.findAll('option').map((o) => o.text())).toEqual(['AUD', 'EUR', 'USD'])
  })
  it('refuses what is not a price and saves a good one', async () => {
    const w = await editor()
    await type(w, 'price', 'ten')
    expect(w.get('button[type=submit]').attributes('disabled')).toBeDefined()
    await type(w, 'price', '12.50')
    await w.get('form').trigger('submit')
    expect(w.emitted('save')?.[0]).toEqual([1250, 'EUR', false, 0])
  })
  it.each(['abc', '-5', '2000000'])('says next to the field why %s is not a price', async (bad) => {
    const w = await editor()
    const input = w.get('input[name=price]')
    expect(w.find('[data-testid=price-error]').exists()).toBe(false)
    expect(input.attributes('aria-invalid')).toBe('false')
    await type(w, 'price', bad)
    const msg = w.get('[data-testid=price-error]')
    expect(msg.text()).toBe('Enter a price like 9.99, from 0 to 1,000,000.')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe(msg.attributes('id'))
    await w.get('form').trigger('submit')
    expect(w.emitted('save')).toBeUndefined()
    await type(w, 'price', '3.00')
    expect(w.find('[data-testid=price-error]').exists()).toBe(false)
    expect(input.attributes('aria-describedby')).toBeUndefined()
  })
  it('says when the platform refuses the minimum', async () => {
    const w = await editor({ priceCents: 500, pwyw: true, minCents: 200 })
    await type(w, 'minimum', '12')
    expect(w.get('[data-testid=minimum-error]').text()).toBe('The minimum must be from 0 to the price.')
    expect(w.get('input[name=minimum]').attributes('aria-invalid')).toBe('true')
    expect(w.get('button[type=submit]').attributes('disabled')).toBeDefined()
  })
  it('shows the platform’s answer for the price next to the price, in the user’s words', async () => {
    const w = await editor({ error: new ApiError('invalid', 'must be between 0 and 1000000.00 EUR', 'price_cents') })
    expect(w.get('[data-testid=price-error]').text()).toBe('Enter a price like 9.99, from 0 to 1,000,000.')
  })
  it('reports the price on screen, saved or not', async () => {
    const w = await editor()
    await type(w, 'price', '3.00')
    const drafts = w.emitted('draft')!
    expect(drafts[drafts.length - 1][0]).toEqual({ valid: true, dirty: true, cents: 300, currency: 'EUR', pwyw: false, minCents: 0 })
    await type(w, 'price', '10')
    expect(w.emitted('draft')!.at(-1)![0]).toMatchObject({ valid: true, dirty: false, cents: 1000 })
  })
})
