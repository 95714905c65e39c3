import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import PriceEditor from './PriceEditor.vue'
import { makeI18n } from '../i18n'

function editor(props = { priceCents: 1000, currency: 'EUR', pwyw: false, minCents: 0 }) {
  return mount(PriceEditor, { props, global: { plugins: [makeI18n('en')] } })
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
})
