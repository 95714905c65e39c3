import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

let owned = ''
let status: any = { state: 'stopped' }
let previewAnswer: () => Promise<void> = () => Promise.resolve()
const previews: number[][] = []
const played: number[][] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({ Split: (g: number) => Promise.resolve({ gross: g, creator: g - Math.floor(g / 10), platform: Math.floor(g / 10) }) }))
vi.mock('../../wailsjs/go/app/LibraryAPI', () => ({
  Sync: () => Promise.resolve({}), Status: () => Promise.resolve({ dir: '/music' }),
  Releases: () => Promise.resolve(owned === 'bought' ? [{ purchase_id: 41, release_id: 7, title: 'Copper Hours', tracks: [] }] : []),
}))
vi.mock('../../wailsjs/go/app/PlayerAPI', () => ({
  Status: () => Promise.resolve(status),
  PlayRelease: (...a: number[]) => {
    played.push(a)
    return Promise.resolve()
  },
}))
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  Search: () => Promise.resolve({ items: [], next_cursor: '' }),
  Release: (id: number) => Promise.resolve({ id, title: 'Copper Hours', artist_name: 'Ann', price_cents: 600, currency: 'EUR',
    tracks: [{ id: 70, position: 1, title: 'One', duration_ms: 61000 }, { id: 71, position: 2, title: 'Two', duration_ms: 62000 }] }),
  Owned: () => Promise.resolve(owned),
  PlayPreview: (...a: number[]) => {
    previews.push(a)
    return previewAnswer()
  },
}))
import { mountStore } from './StoreView.mount'

const mountRelease = (lang = 'en') => mountStore(7, lang)

describe('StoreView previews', () => {
  beforeEach(() => {
    owned = ''
    status = { state: 'stopped' }
    previewAnswer = () => Promise.resolve()
    previews.length = 0
    played.length = 0
  })

  it('plays a track’s preview: busy while fetched, then shown playing', async () => {
    const w = await mountRelease()
    const buttons = () => w.findAll('[data-testid=preview]')
    expect(buttons().map((b) => [b.text(), b.attributes('aria-label')])).toEqual([['Preview', 'Preview “One”'], ['Preview', 'Preview “Two”']])
    let release!: () => void
    previewAnswer = () => new Promise<void>((r) => (release = r))
    status = { state: 'playing', track: { key: 'preview:71', title: 'Two' } }
    await buttons()[1].trigger('click')
    expect(previews).toEqual([[7, 71]])
    expect(buttons()[1].text()).toBe('Fetching the preview…')
    expect(buttons()[1].attributes('aria-busy')).toBe('true')
    expect(buttons().every((b) => b.attributes('disabled') !== undefined)).toBe(true)
    release()
    await flushPromises()
    expect(buttons()[1].text()).toBe('Playing')
    expect(buttons()[1].attributes('aria-pressed')).toBe('true')
    expect(buttons()[0].text()).toBe('Preview')
    expect(buttons()[0].attributes('disabled')).toBeUndefined()
    expect(w.find('[data-testid=play-track]').exists()).toBe(false)
  })

  it('says plainly that previews need a connection, in the user’s language', async () => {
    const w = await mountRelease('fr')
    previewAnswer = () => Promise.reject('{"code":"unavailable","message":"Can\'t reach Megabox. Your library still plays offline."}')
    await w.get('[data-testid=preview]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=preview-error]').text()).toBe('Impossible de joindre Megabox pour cet extrait. Les extraits demandent une connexion ; votre bibliothèque reste écoutable hors ligne.')
    expect(w.get('[data-testid=preview]').text()).toBe('Extrait')
    previewAnswer = () => Promise.resolve()
    await w.get('[data-testid=preview]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid=preview-error]').exists()).toBe(false)
  })

  it('plays a bought release from the library, not its previews', async () => {
    owned = 'bought'
    const w = await mountRelease()
    expect(w.find('[data-testid=preview]').exists()).toBe(false)
    const play = w.findAll('[data-testid=play-track]')
    expect(play.map((b) => b.attributes('aria-label'))).toEqual(['Play “One”', 'Play “Two”'])
    await play[1].trigger('click')
    await flushPromises()
    expect(played).toEqual([[41, 1]])
    expect(previews).toEqual([])
  })

  it('lets the creator hear the previews of their own release', async () => {
    owned = 'yours'
    const w = await mountRelease()
    expect(w.findAll('[data-testid=preview]')).toHaveLength(2)
  })
})
