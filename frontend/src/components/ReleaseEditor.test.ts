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
import TrackList from './TrackList.vue'
import { makeI18n } from '../i18n'
import { app } from '../../wailsjs/go/models'

const tracks = () => [
  { file: '01.mp3', audio_sha256: 'a', title: 'Opening', duration_ms: 8000, preorder_available: false },
  { file: '02.mp3', audio_sha256: 'b', title: 'Part 2', duration_ms: 8000, preorder_available: false },
  { file: '03.mp3', audio_sha256: 'c', title: 'Part 3', duration_ms: 8000, preorder_available: false },
]
const saved = () => app.ReleaseDraft.createFrom({
  title: 'Night', artist_name: 'Nova Harbor', description: '', release_date: '2026', price_cents: 1000, currency: 'EUR',
  pay_what_you_want: false, min_cents: 0, collaborators: [], slug: '', preview_seconds: 0, full_streaming: false, tracks: tracks(),
})

function editor(over: Record<string, unknown> = {}) {
  const calls = { save: [] as app.ReleaseDraft[], publish: [] as app.ReleaseDraft[], ask: [] as string[] }
  const w = mount(ReleaseEditor, {
    attachTo: document.body,
    props: {
      draft: saved(), published: false, canPublish: true, web: { artist_url: '', current_slug: '' },
      save: (d: app.ReleaseDraft) => { calls.save.push(JSON.parse(JSON.stringify(d))); return Promise.resolve() },
      publish: (d: app.ReleaseDraft) => { calls.publish.push(JSON.parse(JSON.stringify(d))); return Promise.resolve() },
      ask: (_title: string, msg: string) => { calls.ask.push(msg); return Promise.resolve(true) },
      ...over,
    },
    global: { plugins: [makeI18n('en'), createPinia()] },
  })
  return { w, calls }
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }))
afterEach(() => vi.useRealTimers())

describe('ReleaseEditor', () => {
  it('saves once, after typing pauses, with everything typed', async () => {
    const { w, calls } = editor()
    await flushPromises()
    await w.get('input[name=release-title]').setValue('Night D')
    vi.advanceTimersByTime(300)
    await w.get('input[name=release-title]').setValue('Night Drive')
    vi.advanceTimersByTime(300)
    await w.get('input[name=price]').setValue('8.00')
    await flushPromises()
    expect(w.get('[data-testid=save-status]').text()).toBe('Saving…')
    vi.advanceTimersByTime(499)
    expect(calls.save).toHaveLength(0)
    vi.advanceTimersByTime(1)
    await flushPromises()
    expect(calls.save).toHaveLength(1)
    expect(calls.save[0]).toMatchObject({ title: 'Night Drive', price_cents: 800, currency: 'EUR' })
    expect(w.get('[data-testid=save-status]').text()).toBe('Saved')
    vi.advanceTimersByTime(2000)
    await flushPromises()
    expect(calls.save).toHaveLength(1)
    w.unmount()
  })

  it('does not save what it cannot, and says so', async () => {
    const { w, calls } = editor()
    await flushPromises()
    await w.get('input[name=release-title]').setValue('  ')
    vi.advanceTimersByTime(1000)
    await flushPromises()
    expect(calls.save).toHaveLength(0)
    expect(w.text()).toContain('Enter a title of at most 200 characters.')
    w.unmount()
  })

  it('publishes exactly what is on screen, after asking with the title and price', async () => {
    const { w, calls } = editor()
    await flushPromises()
    await w.get('input[name=release-title]').setValue('Night Drive')
    await w.get('input[name=price]').setValue('8.00')
    await w.findAll('[data-testid=track] button')[4].trigger('click') // 03 ↑
    await flushPromises()
    await w.get('[data-testid=publish]').trigger('click') // before the pause ends
    await flushPromises()
    expect(calls.ask).toEqual(['Publish “Night Drive” at €8.00? Fans will be able to buy it.'])
    expect(calls.publish).toHaveLength(1)
    expect(calls.publish[0]).toMatchObject({ title: 'Night Drive', price_cents: 800 })
    expect(calls.publish[0].tracks.map((t) => t.file)).toEqual(['01.mp3', '03.mp3', '02.mp3'])
    vi.advanceTimersByTime(2000)
    await flushPromises()
    expect(calls.save).toHaveLength(0) // the publish carried the edit
    w.unmount()
  })

  it('publishes nothing when the creator says no; pay what you want is asked as such', async () => {
    const { w, calls } = editor({ ask: (_t: string, msg: string) => { calls.ask.push(msg); return Promise.resolve(false) } })
    await flushPromises()
    await w.get('input[name=pwyw]').setValue(true)
    await w.get('input[name=minimum]').setValue('3')
    await flushPromises()
    await w.get('[data-testid=publish]').trigger('click')
    await flushPromises()
    expect(calls.ask).toEqual(['Publish “Night”, pay what you want from €3.00? Fans will be able to buy it.'])
    expect(calls.publish).toHaveLength(0)
    w.unmount()
  })
})

describe('TrackList', () => {
  it('moves a track with Alt+arrows and keeps it focused', async () => {
    const w = mount(TrackList, { attachTo: document.body, props: { tracks: tracks() }, global: { plugins: [makeI18n('en')] } })
    const order = () => (w.emitted('update:tracks')!.at(-1)![0] as app.DraftTrack[]).map((t) => t.file)
    await w.findAll('[data-testid=track]')[2].trigger('keydown', { key: 'ArrowUp', altKey: true })
    expect(order()).toEqual(['01.mp3', '03.mp3', '02.mp3'])
    await w.setProps({ tracks: w.emitted('update:tracks')!.at(-1)![0] as app.DraftTrack[] })
    await w.findAll('[data-testid=track]')[1].trigger('keydown', { key: 'ArrowUp', altKey: true })
    expect(order()).toEqual(['03.mp3', '01.mp3', '02.mp3'])
    await w.setProps({ tracks: w.emitted('update:tracks')!.at(-1)![0] as app.DraftTrack[] })
    await flushPromises()
    expect(document.activeElement?.getAttribute('data-file')).toBe('03.mp3')
    expect(w.get('[data-testid=track-announce]').text()).toBe('“Part 3” moved to position 1 of 3.')
    // Without Alt the arrows are the list's own.
    await w.findAll('[data-testid=track]')[0].trigger('keydown', { key: 'ArrowDown' })
    expect(w.emitted('update:tracks')).toHaveLength(2)
    w.unmount()
  })
})
