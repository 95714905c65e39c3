import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

const handlers: Record<string, (p: any) => void> = {}
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: (name: string, fn: (p: any) => void) => { handlers[name] = fn; return () => {} } }))
const calls: string[] = []
vi.mock('../../wailsjs/go/app/PlayerAPI', () => ({
  Play: () => { calls.push('play'); return Promise.resolve() },
  Pause: () => { calls.push('pause'); return Promise.resolve() },
  SeekTo: (ms: number) => { calls.push('seek ' + ms); return Promise.resolve() },
  Status: () => Promise.resolve({ state: 'stopped', queue: [] }),
}))
import { usePlayer } from './player'

describe('player store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    calls.length = 0
  })
  it('follows status events from Go', () => {
    const p = usePlayer()
    p.listen()
    handlers['player:status']({ state: 'playing', index: 0, track: { title: 'Low Tide' }, position_ms: 1500, duration_ms: 20000, queue: [] })
    expect(p.playing).toBe(true)
    expect(p.track?.title).toBe('Low Tide')
  })
  it('toggles between play and pause and rounds seeks', async () => {
    const p = usePlayer()
    p.listen()
    await p.toggle()
    handlers['player:status']({ state: 'playing', queue: [] })
    await p.toggle()
    await p.seek(1234.6)
    expect(calls).toEqual(['play', 'pause', 'seek 1235'])
  })
})
