import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// Two pages of news; the second is asked for with the first's cursor.
const asked: string[] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  Feed: (cursor: string) => {
    asked.push(cursor)
    if (cursor === '')
      return Promise.resolve({ items: [{ id: 3, title: 'Tour', artist_name: 'Nova', body: 'We play <b>Lyon</b>', created_at: '2026-05-01T10:00:00Z' }], next_cursor: '3' })
    return Promise.resolve({ items: [{ id: 1, title: 'Studio', artist_name: 'Harbor', body: 'New songs', created_at: '2026-04-01T10:00:00Z' }] })
  },
}))
import FeedPanel from './FeedPanel.vue'
import { makeI18n } from '../i18n'

describe('FeedPanel', () => {
  it('lists followed artists\' news as text, page after page', async () => {
    setActivePinia(createPinia())
    const w = mount(FeedPanel, { global: { plugins: [makeI18n('en')] } })
    await flushPromises()
    expect(w.findAll('[data-feed-item]').map((a) => a.attributes('data-feed-item'))).toEqual(['Tour'])
    expect(w.find('.body').text()).toBe('We play <b>Lyon</b>') // shown as text, never as markup
    expect(w.find('.body b').exists()).toBe(false)
    await w.find('button').trigger('click')
    await flushPromises()
    expect(asked).toEqual(['', '3'])
    expect(w.findAll('[data-feed-item]').map((a) => a.attributes('data-feed-item'))).toEqual(['Tour', 'Studio'])
    expect(w.find('button').exists()).toBe(false)
  })
})
