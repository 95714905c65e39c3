import { describe, expect, it, vi } from 'vitest'

let release: any = {}
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({ Split: (g: number) => Promise.resolve({ gross: g, creator: g - Math.floor(g / 10), platform: Math.floor(g / 10) }) }))
vi.mock('../../wailsjs/go/app/LibraryAPI', () => ({ Sync: () => Promise.resolve({}), Status: () => Promise.resolve({ dir: '/music' }), Releases: () => Promise.resolve([]) }))
vi.mock('../../wailsjs/go/app/PlayerAPI', () => ({ Status: () => Promise.resolve({ state: 'stopped' }) }))
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  Search: () => Promise.resolve({ items: [], next_cursor: '' }),
  Release: () => Promise.resolve(release),
  Owned: () => Promise.resolve(''),
}))
import { mountStore } from './StoreView.mount'

const track = (id: number, master: any) => ({ id, position: id, title: `T${id}`, duration_ms: 60000, master })
const lossless = {
  id: 7, title: 'Undertow', artist_name: 'Ann', price_cents: 700, currency: 'EUR', formats: ['flac', 'mp3-320', 'mp3-v0', 'opus', 'aac'],
  tracks: [track(1, { codec: 'flac', sample_rate: 96000, bit_depth: 24, channels: 2 }), track(2, { codec: 'flac', sample_rate: 96000, bit_depth: 24, channels: 2 })],
  extras: [{ name: 'Booklet.pdf', size: 3_456_789, sha256: 'a', media_type: 'application/pdf' }, { name: 'Lyrics.lrc', size: 2_048, sha256: 'b', media_type: 'text/plain' }],
}

function mountRelease(r: any, lang = 'en') {
  release = r
  return mountStore(r.id, lang)
}

describe('StoreView formats and bonus files before purchase', () => {
  it('lists the formats, the masters’ quality and the bonus files with sizes', async () => {
    const w = await mountRelease(lossless)
    expect(w.get('[data-testid=formats]').text()).toBe('Download as FLAC (24-bit/96 kHz) · MP3 320 · MP3 V0 · Opus · AAC')
    expect(w.findAll('[data-testid=extras] li').map((li) => li.text())).toEqual(['Booklet.pdf 3.5 MB', 'Lyrics.lrc 2 kB'])
  })

  it('says it in French', async () => {
    const w = await mountRelease(lossless, 'fr')
    expect(w.get('[data-testid=formats]').text()).toBe('À télécharger en FLAC (24 bits/96 kHz) · MP3 320 · MP3 V0 · Opus · AAC')
    expect(w.get('[data-testid=extras]').text()).toContain('Booklet.pdf 3,5\u202fMo')
  })

  it('says “up to” when the masters differ, and MP3 alone for MP3 masters', async () => {
    const mixed = { ...lossless, extras: [], tracks: [lossless.tracks[0], track(2, { codec: 'flac', sample_rate: 44100, bit_depth: 16, channels: 2 })] }
    let w = await mountRelease(mixed)
    expect(w.get('[data-testid=formats]').text()).toBe('Download as FLAC (up to 24-bit/96 kHz) · MP3 320 · MP3 V0 · Opus · AAC')
    expect(w.find('[data-testid=extras]').exists()).toBe(false)
    w = await mountRelease({ ...lossless, formats: ['mp3'], extras: [], tracks: [track(1, { codec: 'mp3' })] })
    expect(w.get('[data-testid=formats]').text()).toBe('Download as MP3')
  })
})
