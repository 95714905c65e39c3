import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

const handlers: Record<string, (p: any) => void> = {}
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: (n: string, fn: (p: any) => void) => { handlers[n] = fn; return () => {} } }))
let folders: any[] = []
vi.mock('../../wailsjs/go/app/SyncAPI', () => ({
  Folders: () => Promise.resolve(folders),
  Progress: () => Promise.resolve({ paused: false, bytes_total: 0, bytes_done: 0 }),
  AddFolder: (p: string) => (p.startsWith('/') ? Promise.resolve() : Promise.reject('{"code":"invalid","message":"give the full path of a folder","field":"path"}')),
  Pause: () => Promise.resolve(),
  Resume: () => Promise.resolve(),
}))
import { useSync } from './sync'

describe('sync store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    folders = []
  })
  it('tracks per-file upload progress from events', () => {
    const s = useSync()
    s.listen()
    handlers['sync:file']({ root: '/music', path: 'Album/01.mp3', state: 'uploading', done: 512, total: 1024 })
    expect(s.fileProgress('/music', 'Album', '01.mp3')).toEqual({ state: 'uploading', done: 512, total: 1024, problem: undefined })
    handlers['sync:progress']({ bytes_total: 2048, bytes_done: 512, rate_bps: 100, eta_seconds: 15 })
    expect(s.progress?.eta_seconds).toBe(15)
  })
  it('reports a bad folder path as a typed error and reloads on success', async () => {
    const s = useSync()
    await expect(s.add('relative/path')).rejects.toMatchObject({ code: 'invalid', field: 'path' })
    folders = [{ id: 1, path: '/music', state: 'ok', releases: [] }]
    await s.add('/music')
    expect(s.folders).toHaveLength(1)
  })
  it('toggles pause', async () => {
    const s = useSync()
    await s.togglePause()
    expect(s.paused).toBe(true)
    await s.togglePause()
    expect(s.paused).toBe(false)
  })
})

describe('transfer rate', () => {
  it('is measured over the last seconds and absent when nothing moves', async () => {
    const { transfer } = await import('./sync')
    const s = [{ at: 0, bytes: 0 }, { at: 1000, bytes: 2_000_000 }, { at: 2000, bytes: 4_000_000 }]
    expect(transfer(s, 6_000_000, 2000)).toEqual({ rate: 2_000_000, eta: 3 })
    expect(transfer(s, 6_000_000, 8000)).toBeNull() // bytes stopped moving: no rate, no ETA
    expect(transfer([{ at: 0, bytes: 5 }, { at: 1000, bytes: 5 }], 10, 1000)).toBeNull() // never 0 B/s
    expect(transfer(s.slice(0, 1), 10, 0)).toBeNull()
    expect(transfer(s, 0, 2000)).toBeNull()
  })
})
