import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

let status: any = { state: 'stopped', queue: [] }
const calls: string[] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/PlayerAPI', () => ({
  Status: () => Promise.resolve(status),
  Play: () => { calls.push('play'); return Promise.resolve() },
  Pause: () => { calls.push('pause'); return Promise.resolve() },
  Next: () => { calls.push('next'); return Promise.resolve() },
  Previous: () => { calls.push('previous'); return Promise.resolve() },
  SeekTo: (ms: number) => { calls.push('seek ' + ms); return Promise.resolve() },
  SetReplayGain: (mode: string) => { calls.push('replay gain ' + mode); return Promise.resolve() },
}))
import PlayerBar from './PlayerBar.vue'
import { makeI18n } from '../i18n'

async function mountBar() {
  const pinia = createPinia()
  setActivePinia(pinia)
  const w = mount(PlayerBar, { global: { plugins: [makeI18n('en'), pinia] }, attachTo: document.body })
  await flushPromises()
  return w
}
const press = (key: string, opts: KeyboardEventInit = {}, target: EventTarget = document.body) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, ...opts }))

describe('PlayerBar', () => {
  beforeEach(() => {
    calls.length = 0
  })

  it('has nothing to act on with an empty queue', async () => {
    status = { state: 'stopped', queue: [] }
    const w = await mountBar()
    for (const sel of ['[data-testid=play-toggle]', '[aria-label=Next]', '[aria-label=Previous]', 'input.seek']) {
      expect(w.get(sel).attributes('disabled'), sel).toBeDefined()
    }
    press(' ')
    await flushPromises()
    expect(calls).toEqual([])
    expect(w.get('[data-testid=now-title]').text()).toBe('Nothing playing')
    expect(w.text()).toContain('Repeat: off')
    w.unmount()
  })

  it('shows the cover and answers its keys, but not while typing', async () => {
    const track = { key: '4', title: 'Low Tide', artist: 'Nova Harbor', art: '/covers/library/3', duration_ms: 20000 }
    status = { state: 'paused', queue: [track, { ...track, key: '5' }], index: 0, track, position_ms: 5000, duration_ms: 20000 }
    const w = await mountBar()
    expect(w.get('[data-testid=now-art]').attributes('src')).toBe('/covers/library/3')
    expect(w.get('[data-testid=play-toggle]').attributes('disabled')).toBeUndefined()
    press(' ')
    press('ArrowRight', { ctrlKey: true })
    press('ArrowLeft', { shiftKey: true })
    const input = document.createElement('input')
    document.body.appendChild(input)
    press(' ', {}, input)
    await flushPromises()
    expect(calls).toEqual(['play', 'next', 'seek 0'])
    input.remove()
    w.unmount()
  })

  it('says a playing problem in the user’s words, never the detail', async () => {
    const track = { key: '4', title: 'Low Tide', artist: 'Nova Harbor', duration_ms: 20000 }
    status = { state: 'playing', queue: [track], index: 0, track, problem: 'unplayable', problem_track: 'Low Tide', detail: 'mp3: bad frame header at 0x1f' }
    const w = await mountBar()
    expect(w.get('[data-testid=player-error]').text()).toBe('“Low Tide” could not be played: its file is damaged. Verify files in the library.')
    expect(w.text()).not.toContain('0x1f')
    w.unmount()
  })

  it('shows the playing format and sets the ReplayGain mode, in French too', async () => {
    const track = { key: '4', title: 'Low Tide', artist: 'Nova Harbor', duration_ms: 20000 }
    status = { state: 'playing', queue: [track], index: 0, track, format: 'FLAC 24/96', replay_gain: 'track' }
    const w = await mountBar()
    expect(w.get('[data-testid=now-format]').text()).toBe('FLAC 24/96')
    const sel = w.get('[data-testid=replay-gain]')
    expect((sel.element as HTMLSelectElement).value).toBe('track')
    expect(sel.findAll('option').map((o) => o.text())).toEqual(['Track', 'Album', 'Off'])
    await sel.setValue('album')
    await flushPromises()
    expect(calls).toEqual(['replay gain album'])
    w.unmount()

    const pinia = createPinia()
    setActivePinia(pinia)
    const fr = mount(PlayerBar, { global: { plugins: [makeI18n('fr'), pinia] } })
    await flushPromises()
    expect(fr.get('[data-testid=replay-gain]').findAll('option').map((o) => o.text())).toEqual(['Piste', 'Album', 'Désactivé'])
    expect(fr.get('[data-testid=now-format]').attributes('title')).toBe('Lecture FLAC 24/96')
    fr.unmount()
  })

  it('shows no format when nothing plays', async () => {
    status = { state: 'stopped', queue: [] }
    const w = await mountBar()
    expect(w.find('[data-testid=now-format]').exists()).toBe(false)
    w.unmount()
  })
})
