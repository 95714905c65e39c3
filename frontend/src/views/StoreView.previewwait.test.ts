import { describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

// The app tells how far the platform is in making a preview while it
// waits for it (a FLAC master's MP3, made once).
const handlers: Record<string, ((p: unknown) => void) | undefined> = {}
let release!: () => void
vi.mock('../../wailsjs/runtime/runtime', () => ({
  EventsOn: (name: string, fn: (p: unknown) => void) => {
    handlers[name] = fn
    return () => (handlers[name] = undefined)
  },
}))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({ Split: (g: number) => Promise.resolve({ gross: g, creator: g, platform: 0 }) }))
vi.mock('../../wailsjs/go/app/LibraryAPI', () => ({ Sync: () => Promise.resolve({}), Status: () => Promise.resolve({ dir: '/music' }), Releases: () => Promise.resolve([]) }))
vi.mock('../../wailsjs/go/app/PlayerAPI', () => ({ Status: () => Promise.resolve({ state: 'stopped' }) }))
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  Search: () => Promise.resolve({ items: [], next_cursor: '' }),
  Release: (id: number) => Promise.resolve({ id, title: 'Hi-res', artist_name: 'Ann', price_cents: 600, currency: 'EUR',
    tracks: [{ id: 70, position: 1, title: 'One', duration_ms: 61000 }, { id: 71, position: 2, title: 'Two', duration_ms: 62000 }] }),
  Owned: () => Promise.resolve(''),
  PlayPreview: () => new Promise<void>((r) => (release = r)),
}))
import { mountStore } from './StoreView.mount'

const mountRelease = (lang: string) => mountStore(7, lang)

describe('StoreView: a preview being made', () => {
  for (const [lang, fetching, preparing] of [
    ['en', 'Fetching the preview…', 'Preparing the preview… 42 %'],
    ['fr', 'Récupération de l’extrait…', 'Préparation de l’extrait… 42 %'],
  ]) {
    it(`says how far it is, then plays it (${lang})`, async () => {
      const w = await mountRelease(lang)
      const button = () => w.findAll('[data-testid=preview]')[1]
      await button().trigger('click')
      expect(button().text()).toBe(fetching)
      handlers['preview:progress']!({ track_id: 70, state: 'running', progress: 0.9 }) // another track's: not this one
      await flushPromises()
      expect(button().text()).toBe(fetching)
      handlers['preview:progress']!({ track_id: 71, state: 'running', progress: 0.429 })
      await flushPromises()
      expect(button().text()).toBe(preparing)
      release()
      await flushPromises()
      expect(button().text()).not.toContain('%')
      expect(handlers['preview:progress']).toBeUndefined()
    })
  }
})
