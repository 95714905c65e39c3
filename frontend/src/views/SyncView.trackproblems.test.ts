import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// A synced release three of whose masters the platform found unusable,
// one for a reason the catalog has no words for.
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {}, OnFileDrop: () => {}, OnFileDropOff: () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({
  Rules: () => Promise.resolve({ currencies: ['EUR'], max_price_cents: 100_000_000, max_payees: 8 }),
  Split: (g: number) => Promise.resolve({ gross: g, creator: g, platform: 0 }),
  CheckPrice: () => Promise.resolve(),
  SplitPayees: (g: number) => Promise.resolve({ gross: g, platform: 0, creator: g, owner_bps: 10000, owner_cents: g, collaborators: [] }),
}))
vi.mock('../../wailsjs/go/app/SyncAPI', () => ({
  Folders: () => Promise.resolve([{
    id: 1, path: '/home/ann/Music', state: 'ok', releases: [{
      dir: 'Night', state: 'synced', release_id: 7, published: false, cover_sha256: '', price_cents: 700, currency: 'EUR',
      pay_what_you_want: false, min_cents: 0, collaborators: [], web: { slug: '', preview_seconds: 0, full_streaming: false, current_slug: '', artist_url: '' },
      draft: { title: 'Night', artist_name: 'Ann', description: '', release_date: '', price_cents: 700, currency: 'EUR', pay_what_you_want: false, min_cents: 0, collaborators: [], slug: '', preview_seconds: 0, full_streaming: false, tracks: [] },
      files: [],
      track_problems: [
        { position: 2, title: 'Undertow', kind: 'damaged', detail: 'the FLAC’s decoded audio does not match the MD5 checksum in its header' },
        { position: 3, title: 'Ebb', kind: 'undecodable', detail: 'the audio cannot be decoded to its end' },
        { position: 4, title: 'Shore', kind: 'clipping', detail: 'the audio clips' },
      ],
    }],
  }]),
  Progress: () => Promise.resolve({ files_total: 0, files_done: 0, bytes_total: 0, bytes_done: 0, rate_bps: 0, eta_seconds: 0, paused: false, online: true }),
  RemoteReleases: () => Promise.resolve([]),
}))
import SyncView from './SyncView.vue'
import { makeI18n } from '../i18n'

describe('SyncView: masters the platform found damaged', () => {
  for (const [lang, want] of [
    ['en', [
      'Track 2 (Undertow): the FLAC’s audio does not match the MD5 checksum in its header, so the file is damaged. Encode it again from the original and sync again.',
      'Track 3 (Ebb): the audio cannot be decoded to its end, so the file is damaged. Replace it with a good copy.',
      'Track 4 (Shore): the platform cannot use this audio: the audio clips',
    ]],
    ['fr', [
      'Piste 2 (Undertow) : l’audio du FLAC ne correspond pas à la somme MD5 de son en-tête, le fichier est donc endommagé. Encodez-le de nouveau depuis l’original, puis synchronisez.',
      'Piste 3 (Ebb) : l’audio ne peut pas être décodé jusqu’au bout, le fichier est donc endommagé. Remplacez-le par une copie saine.',
      'Piste 4 (Shore) : la plateforme ne peut pas utiliser cet audio : the audio clips',
    ]],
  ] as const) {
    it(`are said plainly to their creator (${lang})`, async () => {
      setActivePinia(createPinia())
      const w = mount(SyncView, { global: { plugins: [makeI18n(lang)] } })
      await flushPromises()
      const shown = w.findAll('[data-testid=track-problem]')
      expect(shown.map((p) => p.text())).toEqual(want)
      expect(shown.map((p) => p.attributes('data-kind'))).toEqual(['damaged', 'undecodable', 'clipping'])
    })
  }
})
