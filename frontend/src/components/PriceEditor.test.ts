import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import PriceEditor from './PriceEditor.vue'
import { ApiError } from '../api'
import { makeI18n } from '../i18n'

function editor(props: Record<string, unknown> = {}) {
  return mount(PriceEditor, { props: { priceCents: 1000, currency: 'EUR', pwyw: false, minCents: 0, ...props }, global: { plugins: [makeI18n('en')] } })
}

describe('PriceEditor', () => {
  it('previews the exact split as the creator types', async () => {
    const w = editor()
    expect(w.get('[data-testid=split-preview]').text()).toBe('Fan pays €10.00 → you get €9.00, Megabox €1.00')
    await w.get('input[name=price]').setValue('9.99')
    expect(w.get('[data-testid=split-preview]').text()).toBe('Fan pays €9.99 → you get €9.00, Megabox €0.99')
  })
  it('refuses a bad price and saves a good one', async () => {
    const w = editor()
    await w.get('input[name=price]').setValue('ten')
    expect(w.get('button[type=submit]').attributes('disabled')).toBeDefined()
    await w.get('input[name=price]').setValue('12.50')
    await w.get('form').trigger('submit')
    expect(w.emitted('save')?.[0]).toEqual([1250, 'EUR', false, 0])
  })
  it.each(['abc', '-5', '2000000'])('says next to the field why %s is not a price', async (bad) => {
    const w = editor()
    const input = w.get('input[name=price]')
    expect(w.find('[data-testid=price-error]').exists()).toBe(false)
    expect(input.attributes('aria-invalid')).toBe('false')
    await input.setValue(bad)
    const msg = w.get('[data-testid=price-error]')
    expect(msg.text()).toBe('Enter a price like 9.99, from 0 to 1,000,000.')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe(msg.attributes('id'))
    await w.get('form').trigger('submit')
    expect(w.emitted('save')).toBeUndefined()
    await input.setValue('3.00')
    expect(w.find('[data-testid=price-error]').exists()).toBe(false)
    expect(input.attributes('aria-describedby')).toBeUndefined()
  })
  it('says when the minimum is above the price', async () => {
    const w = editor({ pwyw: true, minCents: 200 })
    await w.get('input[name=minimum]').setValue('12')
    expect(w.get('[data-testid=minimum-error]').text()).toBe('The minimum cannot be more than the price.')
    expect(w.get('input[name=minimum]').attributes('aria-invalid')).toBe('true')
  })
  it('shows the platform’s answer for the price next to the price', async () => {
    const w = editor({ error: new ApiError('invalid', 'enter a price between 0 and 1,000,000', 'price_cents') })
    expect(w.get('[data-testid=price-error]').text()).toBe('enter a price between 0 and 1,000,000')
  })
  it('reports the price on screen, saved or not', async () => {
    const w = editor()
    await w.get('input[name=price]').setValue('3.00')
    const drafts = w.emitted('draft')!
    expect(drafts[drafts.length - 1][0]).toEqual({ valid: true, dirty: true, cents: 300, currency: 'EUR', pwyw: false, minCents: 0 })
    await w.get('input[name=price]').setValue('10')
    expect(w.emitted('draft')!.at(-1)![0]).toMatchObject({ valid: true, dirty: false, cents: 1000 })
  })
})
