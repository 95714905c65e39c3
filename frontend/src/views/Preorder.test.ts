import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// A fan's pre-order as the library last mirrored it: two tracks on disk,
// three listed for the release day.
const song = (n: number, state: string) => ({ id: n, position: n, title: `Song ${n}`, duration_ms: 61_000, path: state === 'ok' ? `/m/${n}.mp3` : '', state })
const preordered = {
  purchase_id: 1, release_id: 9, artist: 'Ann', title: 'Later', cover_path: '', receipt_ok: true, offline: true,
  tracks: [song(1, 'ok'), song(3, 'ok')],
  preorder: { tracks_now: 2, tracks: 5, release_date: '2026-12-05', waiting: [song(2, 'waiting'), song(4, 'waiting'), song(5, 'waiting')] },
}
// The store's release: out tomorrow (UTC) unless a test says otherwise.
let releaseDate = ''
let owned = ''
const played: number[][] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({ Split: (g: number) => Promise.resolve({ gross: g, creator: g - g / 10, platform: g / 10 }) }))
vi.mock('../../wailsjs/go/app/LibraryAPI', () => ({
  Sync: () => Promise.resolve({}), Releases: () => Promise.resolve([preordered]), Status: () => Promise.resolve({ dir: '/music' }),
}))
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  Release: (id: number) => Promise.resolve({
    id, title: 'Later', artist_name: 'Ann', price_cents: 900, currency: 'EUR', release_date: releaseDate, preorder: true,
    tracks: [1, 2, 3, 4, 5].map((n) => ({ id: n, position: n, title: `Song ${n}`, duration_ms: 61_000, preorder_available: n === 1 || n === 3 })),
  }),
  Owned: () => Promise.resolve(owned),
}))
vi.mock('../../wailsjs/go/app/PlayerAPI', () => ({
  PlayRelease: (...a: number[]) => { played.push(a); return Promise.resolve() },
  Status: () => Promise.resolve({}),
}))
import LibraryView from './LibraryView.vue'
import StoreView from './StoreView.vue'
import { useCatalog } from '../stores/catalog'
import { makeI18n } from '../i18n'

describe('pre-orders in the library', () => {
  for (const [lang, line, waiting] of [
    ['en', 'Pre-order: 2 of 5 tracks now, the rest on December 5, 2026', 'On December 5, 2026'],
    ['fr', 'Précommande : 2 titres sur 5 dès maintenant, les autres le 5 décembre 2026', 'Le 5 décembre 2026'],
  ]) {
    it(`says what comes on the release day (${lang})`, async () => {
      setActivePinia(createPinia())
      const w = mount(LibraryView, { global: { plugins: [makeI18n(lang)], stubs: { FeedPanel: true, CodeRedeem: true } } })
      await flushPromises()
      expect(w.get('[data-preorder]').text()).toBe(line)
      const rows = w.findAll('[data-waiting]')
      expect(rows.map((r) => r.findAll('td')[1].text())).toEqual(['Song 2', 'Song 4', 'Song 5'])
      expect(rows[0].text()).toContain('1:01')
      expect(rows[0].text()).toContain(waiting)
      w.unmount()
    })
  }
})

describe('pre-orders in the store', () => {
  // The day before the release, late: the day is the UTC one.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-12-04T23:59:00Z'))
  })
  afterEach(() => vi.useRealTimers())
  async function open(lang: string, date: string, bought = '') {
    releaseDate = date
    owned = bought
    const pinia = createPinia()
    setActivePinia(pinia)
    await useCatalog().open(9)
    const w = mount(StoreView, { global: { plugins: [makeI18n(lang), pinia] } })
    await flushPromises()
    return w
  }

  it('says a release sold before its day is a pre-order, with the tracks out now', async () => {
    let w = await open('en', '2026-12-05')
    expect(w.get('[data-testid=preorder]').text()).toBe('Pre-order — released on December 5, 2026; 2 of 5 tracks now')
    w.unmount()
    w = await open('fr', '2026-12-05')
    expect(w.get('[data-testid=preorder]').text()).toBe('Précommande — parution le 5 décembre 2026 ; 2 titres sur 5 dès maintenant')
    w.unmount()
  })

  it('lets its buyer play what is out and says when the rest comes', async () => {
    const w = await open('en', '2026-12-05', 'bought')
    expect(w.findAll('[data-testid=held]').map((x) => x.text())).toEqual(['On December 5, 2026', 'On December 5, 2026', 'On December 5, 2026'])
    const play = w.findAll('[data-testid=play-track]')
    expect(play).toHaveLength(2)
    await play[1].trigger('click') // Song 3: the library's second track
    await flushPromises()
    expect(played).toEqual([[1, 1]])
    w.unmount()
  })

  it('says nothing of it from the release day on', async () => {
    vi.setSystemTime(new Date('2026-12-05T00:00:00Z'))
    const w = await open('en', '2026-12-05')
    expect(w.find('[data-testid=preorder]').exists()).toBe(false)
    w.unmount()
  })
})
