import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

let format = 'flac'
const chosen: string[] = []
const release = (over: any) => ({ purchase_id: 1, release_id: 7, title: 'Undertow', artist: 'Ann', cover_path: '', receipt_ok: true, offline: true,
  tracks: [{ id: 1, position: 1, title: 'One', duration_ms: 60000, path: '/m/01 - One.flac', state: 'ok' }], extras: [], format: 'flac', ...over })
let releases: any[] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/LibraryAPI', () => ({
  Sync: () => Promise.resolve({}), Releases: () => Promise.resolve(releases), Status: () => Promise.resolve({ dir: '/music' }),
  Format: () => Promise.resolve(format),
  SetFormat: (f: string) => {
    chosen.push(f)
    format = f
    return Promise.resolve()
  },
}))
vi.mock('../../wailsjs/go/app/PlayerAPI', () => ({ Status: () => Promise.resolve({}) }))
import LibraryView from './LibraryView.vue'
import { makeI18n } from '../i18n'

async function mountLibrary(lang: string) {
  setActivePinia(createPinia())
  const w = mount(LibraryView, { global: { plugins: [makeI18n(lang)], stubs: { FeedPanel: true, CodeRedeem: true } } })
  await flushPromises()
  return w
}

describe('the library’s format', () => {
  for (const [lang, mirrored, preparing, bonus] of [
    ['en', 'In MP3 320', 'Preparing FLAC… 40 %', 'Bonus files: Booklet.pdf (3.5 MB)'],
    ['fr', 'En MP3 320', 'Préparation en FLAC… 40 %', 'Fichiers bonus : Booklet.pdf (3,5\u202fMo)'],
  ]) {
    it(`shows each release’s format, what is being prepared and the bonus files (${lang})`, async () => {
      releases = [
        release({ format: 'mp3-320', extras: [{ name: 'Booklet.pdf', size: 3_456_789, path: '/m/Bonus/Booklet.pdf', state: 'ok' }] }),
        release({ purchase_id: 2, release_id: 8, title: 'Later', format: '', offline: false, preparing: { format: 'flac', progress: 0.4 } }),
      ]
      const w = await mountLibrary(lang)
      const [done, waiting] = w.findAll('[data-release-id]')
      expect(done.get('[data-testid=mirrored-format]').text()).toBe(mirrored)
      expect(done.find('[data-testid=preparing]').exists()).toBe(false)
      expect(done.get('[data-testid=library-extras]').text()).toBe(bonus)
      expect(waiting.find('[data-testid=mirrored-format]').exists()).toBe(false)
      expect(waiting.get('[data-testid=preparing]').text()).toBe(preparing)
      w.unmount()
    })
  }

  it('chooses the format from the five a fan may pick, and keeps the choice shown', async () => {
    releases = [release({})]
    format = 'flac'
    const w = await mountLibrary('en')
    const select = w.get<HTMLSelectElement>('[data-testid=library-format]')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['FLAC', 'MP3 320', 'MP3 V0', 'Opus', 'AAC'])
    expect(select.element.value).toBe('flac')
    await select.setValue('opus')
    await flushPromises()
    expect(chosen).toEqual(['opus'])
    expect(select.element.value).toBe('opus')
    w.unmount()
  })
})
