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
    expect(s.fileProgress('/music', 'Album', '01.mp3')).toEqual({ state: 'uploading', done: 512, total: 1024, error: undefined })
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
