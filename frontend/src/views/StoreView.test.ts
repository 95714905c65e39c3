import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// The platform's split, canned: the note must show it, not work it out.
const splits: Record<number, { gross: number; creator: number; platform: number }> = {
  600: { gross: 600, creator: 540, platform: 60 },
  999: { gross: 999, creator: 900, platform: 99 },
}
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({ Split: (g: number) => Promise.resolve(splits[g]) }))
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  Search: () => Promise.resolve({ items: [], next_cursor: '' }),
  TestCard: () => Promise.resolve('4242424242424242'),
  Release: (id: number) => Promise.resolve({ id, title: 'Copper Hours', price_cents: 600, currency: 'EUR', tracks: [] }),
  Owned: () => Promise.resolve(''),
}))
import StoreView from './StoreView.vue'
import { useCatalog } from '../stores/catalog'
import { makeI18n } from '../i18n'

describe('StoreView checkout', () => {
  it('splits the amount as the fan types it, as the platform will book it', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    await useCatalog().open(7)
    const w = mount(StoreView, { global: { plugins: [makeI18n('en'), pinia] } })
    await flushPromises()
    const note = () => w.get('[data-testid=store-split]').text()
    expect(note()).toBe('Of what you pay, €5.40 goes to the artist and €0.60 to Megabox.')
    await w.get('input[name=amount]').setValue('9.99')
    await flushPromises()
    expect(note()).toBe('Of what you pay, €9.00 goes to the artist and €0.99 to Megabox.')
    await w.get('input[name=amount]').setValue('nine')
    await flushPromises()
    expect(note()).toBe('')
  })
})
