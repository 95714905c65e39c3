import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

const detail = 'open /home/ann/Music/x.mp3: permission denied (internal)'

// One watched folder: a release blocked by a file the platform cannot
// take and a file still being copied, each with its cause in English.
vi.mock('../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {}, OnFileDrop: () => {}, OnFileDropOff: () => {} }))
vi.mock('../wailsjs/go/app/RulesAPI', () => ({
  Rules: () => Promise.resolve({ currencies: ['EUR'], max_price_cents: 100_000_000, max_payees: 8 }),
  Split: (g: number) => Promise.resolve({ gross: g, creator: g, platform: 0 }),
  CheckPrice: () => Promise.resolve(),
  SplitPayees: (g: number) => Promise.resolve({ gross: g, platform: 0, creator: g, owner_bps: 10000, owner_cents: g, collaborators: [] }),
}))
vi.mock('../wailsjs/go/app/SyncAPI', () => ({
  Folders: () => Promise.resolve([{
    id: 1, path: '/home/ann/Music', state: 'ok', releases: [{
      dir: 'Night', state: 'blocked', release_id: 7, published: false, cover_sha256: '', price_cents: 700, currency: 'EUR',
      pay_what_you_want: false, min_cents: 0, collaborators: [], web: { slug: '', preview_seconds: 0, full_streaming: false, current_slug: '', artist_url: '' },
      problem: { kind: 'files_need_attention', count: 2, detail: '2 file(s) need attention before this release can be published' },
      draft: { title: 'Night', artist_name: 'Ann', description: '', release_date: '', price_cents: 700, currency: 'EUR', pay_what_you_want: false, min_cents: 0, collaborators: [], slug: '', preview_seconds: 0, full_streaming: false, tracks: [] },
      files: [
        { path: '02.ogg', state: 'error', size: 10, problem: { kind: 'unsupported_type', name: 'OGG', detail } },
        { path: '03.mp3', state: 'error', size: 10, problem: { kind: 'unreadable', detail } },
      ],
    }],
  }]),
  Progress: () => Promise.resolve({ files_total: 0, files_done: 0, bytes_total: 0, bytes_done: 0, rate_bps: 0, eta_seconds: 0, paused: false, online: true,
    problem: { kind: 'sync_off', field: 'folders', detail: 'Sync is off: Megabox could not read its list of folders (sql: database is closed). It tries again shortly.' } }),
  RemoteReleases: () => Promise.resolve([]),
}))
import SyncView from './views/SyncView.vue'
import { makeI18n, messages } from './i18n'
import { problemText, type SyncProblem } from './syncproblems'

// Every kind the engine sends, with the values its message needs.
const kinds: SyncProblem[] = [
  { kind: 'unsupported_type', name: 'FLAC' }, { kind: 'unreadable' }, { kind: 'not_mp3' }, { kind: 'damaged' }, { kind: 'unplayable' },
  { kind: 'settling' }, { kind: 'changed' }, { kind: 'still_copying' },
  { kind: 'sidecar_invalid' }, { kind: 'sidecar_invalid', field: 'price_cents' }, { kind: 'sidecar_invalid', field: 'slug', code: 'invalid' },
  { kind: 'sidecar_unknown_field', field: 'prise_cents' }, { kind: 'sidecar_too_large', limit: 256 },
  { kind: 'too_large', code: 'too_large' }, { kind: 'quota', code: 'quota' }, { kind: 'checksum', code: 'checksum' },
  { kind: 'offline', code: 'unavailable' }, { kind: 'refused_by_platform', code: 'invalid', field: 'release_date' },
  { kind: 'refused_by_platform', code: 'unauthorized' }, { kind: 'upload_failed' }, { kind: 'failed' },
  { kind: 'folder_missing' }, { kind: 'root_missing' }, { kind: 'files_need_attention', count: 3 }, { kind: 'no_tracks' },
  { kind: 'needs_confirmation' }, { kind: 'confirm_track_removal', count: 2, total: 3 },
  { kind: 'adopt_ambiguous', count: 2, name: 'Night, Day' }, { kind: 'adopt_taken', name: 'Night', folder: 'Night (old)' },
  { kind: 'sync_off', field: 'folders' }, { kind: 'sync_off', field: 'watch' },
  { kind: 'flac_checksum', name: 'FLAC' }, { kind: 'audio_damaged', name: 'WAV' }, { kind: 'audio_format', name: 'AIFF' }, { kind: 'not_audio', name: 'FLAC' },
  { kind: 'clipping', count: 12 }, { kind: 'silent' }, { kind: 'extra_too_large', name: 'stems.zip', limit: 4096 },
  { kind: 'extra_duplicate', name: 'lyrics.txt', folder: 'stems/lyrics.txt' }, { kind: 'extra_too_many', limit: 50 },
  { kind: 'extra_too_many', field: 'size', limit: 8192 }, { kind: 'extra_too_many', field: 'name', limit: 200 },
  { kind: 'unwatched', count: 3, name: '/home/ann/Music/Night', limit: 30 }, { kind: 'unwatched', count: 1, name: '/home/ann/Music/Day', limit: 30, code: 'watch_limit' },
]

function say(lang: 'en' | 'fr', p: SyncProblem) {
  const i18n = makeI18n(lang)
  const g = i18n.global as unknown as { t: (k: string, a?: unknown, n?: number) => string; te: (k: string) => boolean }
  return problemText((k, a, n) => (n === undefined ? g.t(k, a) : g.t(k, a, n)), (k) => g.te(k), { ...p, detail })
}

describe('sync problems', () => {
  it('says every kind in English and French, with its values, and never the detail', () => {
    const unknown = { en: say('en', { kind: 'no-such-kind' }), fr: say('fr', { kind: 'no-such-kind' }) }
    for (const p of kinds) {
      const en = say('en', p), fr = say('fr', p)
      for (const [lang, text] of [['en', en], ['fr', fr]] as const) {
        expect(text, `${lang} ${p.kind}`).not.toBe('')
        expect(text, `${lang} ${p.kind}`).not.toBe(unknown[lang])
        expect(text, `${lang} ${p.kind}`).not.toContain('syncProblem.')
        expect(text, `${lang} ${p.kind}`).not.toContain('permission denied')
        expect(text, `${lang} ${p.kind}`).not.toMatch(/\{\w+\}/)
        for (const v of [p.name, p.kind.startsWith('sidecar') ? p.field : undefined, p.folder, p.limit, p.count && p.count > 1 ? p.count : undefined, p.total]) {
          if (v !== undefined) expect(text, `${lang} ${p.kind}`).toContain(String(v))
        }
      }
      expect(fr, p.kind).not.toBe(en)
    }
    expect(say('en', { kind: 'refused_by_platform', code: 'invalid', field: 'release_date' })).toContain('2026-03-01')
    expect(say('fr', { kind: 'offline', code: 'unavailable' })).toContain('Impossible de joindre Megabox')
    expect(say('en', { kind: 'files_need_attention', count: 1 })).toBe('One file needs attention before this release can be published.')
    expect(say('fr', { kind: 'sync_off', field: 'watch' })).toBe('La synchronisation est arrêtée : Megabox n’a pas pu surveiller vos dossiers. Il réessaie sous peu.')
    expect(say('en', { kind: 'unwatched', count: 1, name: '/m/Day', limit: 30, code: 'watch_limit' })).toBe(
      'Megabox cannot watch /m/Day for changes: it looks at it every 30 s instead. The system’s limit on watched folders is reached: raising fs.inotify.max_user_watches lifts it.')
  })

  it('has every English sync message in French with the same placeholders', () => {
    const en = (messages.en as any).syncProblem as Record<string, string>
    const fr = (messages.fr as any).syncProblem as Record<string, string>
    const ph = (s: string) => (s.match(/\{\w+\}/g) || []).sort().join()
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort())
    for (const k of Object.keys(en)) expect(ph(fr[k]), k).toBe(ph(en[k]))
  })

  it('shows a release’s and its files’ problems in the Sync view by kind, never the cause', async () => {
    for (const [lang, ogg, blocked, off] of [
      ['en', 'OGG files are not accepted: export this track as FLAC, WAV or MP3.', '2 files need attention', 'Sync is off: Megabox could not read its list of folders. It tries again shortly.'],
      ['fr', 'Les fichiers OGG ne sont pas acceptés : exportez ce morceau en FLAC, WAV ou MP3.', '2 fichiers demandent votre attention', 'La synchronisation est arrêtée : Megabox n’a pas pu lire sa liste de dossiers. Il réessaie sous peu.'],
    ] as const) {
      setActivePinia(createPinia())
      const w = mount(SyncView, { global: { plugins: [makeI18n(lang)] }, attachTo: document.body })
      await flushPromises()
      const release = w.get('[data-testid="release-problem"]')
      expect(release.attributes('data-kind')).toBe('files_need_attention')
      expect(release.text()).toContain(blocked)
      const files = w.findAll('[data-testid="file-problem"]')
      expect(files.map((f) => f.attributes('data-kind'))).toEqual(['unsupported_type', 'unreadable'])
      expect(files[0].text()).toContain(ogg)
      expect(files[1].text()).not.toBe('')
      expect(w.get('[data-testid="sync-problem"]').text()).toBe(off)
      expect(w.text()).not.toContain('database is closed')
      expect(w.text()).not.toContain('permission denied')
      expect(w.text()).not.toContain('need attention before this release can be published (')
      expect(w.text()).not.toContain('file(s)')
      w.unmount()
    }
  })
})
