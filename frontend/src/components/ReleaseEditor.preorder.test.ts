import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'

vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({
  Rules: () => Promise.resolve({ currencies: ['EUR', 'USD'], max_price_cents: 100_000_000, max_payees: 8 }),
  Split: (g: number) => Promise.resolve({ gross: g, creator: g - Math.round(g / 10), platform: Math.round(g / 10) }),
  CheckPrice: () => Promise.resolve(),
  SplitPayees: (g: number) => Promise.resolve({ gross: g, platform: 0, creator: g, owner_bps: 10000, owner_cents: g, collaborators: [] }),
}))
import ReleaseEditor from './ReleaseEditor.vue'
import { makeI18n } from '../i18n'
import { app } from '../../wailsjs/go/models'

const draft = () => app.ReleaseDraft.createFrom({
  title: 'Later', artist_name: 'Ann', description: '', release_date: '2026-12-05', price_cents: 900, currency: 'EUR',
  pay_what_you_want: false, min_cents: 0, collaborators: [], slug: '', preview_seconds: 0, full_streaming: false, preorder: false,
  tracks: ['01.mp3', '02.mp3', '03.mp3'].map((file, i) => ({ file, audio_sha256: 'abc'[i], title: `Song ${i + 1}`, duration_ms: 8000, preorder_available: false })),
})

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }))
afterEach(() => vi.useRealTimers())

describe('ReleaseEditor pre-order', () => {
  it('sells as a pre-order with the tracks marked available now, saved like any field', async () => {
    const saves: app.ReleaseDraft[] = []
    const w = mount(ReleaseEditor, {
      attachTo: document.body,
      props: {
        draft: draft(), published: false, canPublish: true, web: { artist_url: '', current_slug: '' },
        save: (d: app.ReleaseDraft) => { saves.push(JSON.parse(JSON.stringify(d))); return Promise.resolve() },
        publish: () => Promise.resolve(), ask: () => Promise.resolve(true),
      },
      global: { plugins: [makeI18n('en'), createPinia()] },
    })
    await flushPromises()
    expect(w.get('label[for$=-preorder]').text()).toBe('Sell as a pre-order until the release date')
    expect(w.findAll('[data-testid=track-early]')).toHaveLength(0) // nothing to mark until it is a pre-order
    await w.get('input[name=preorder]').setValue(true)
    const early = w.findAll('[data-testid=track-early]')
    expect(early).toHaveLength(3)
    expect(early[1].attributes('aria-label')).toBe('“Song 2” available now to pre-order buyers')
    await early[1].setValue(true)
    vi.advanceTimersByTime(500)
    await flushPromises()
    expect(saves).toHaveLength(1)
    expect(saves[0].preorder).toBe(true)
    expect(saves[0].tracks.map((t) => t.preorder_available)).toEqual([false, true, false])
    w.unmount()
  })

  it('says it in French', async () => {
    const w = mount(ReleaseEditor, {
      props: { draft: draft(), published: false, canPublish: true, web: { artist_url: '', current_slug: '' },
        save: () => Promise.resolve(), publish: () => Promise.resolve(), ask: () => Promise.resolve(true) },
      global: { plugins: [makeI18n('fr'), createPinia()] },
    })
    await flushPromises()
    expect(w.get('label[for$=-preorder]').text()).toBe('Vendre en précommande jusqu’à la date de parution')
    w.unmount()
  })
})
