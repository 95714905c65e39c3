import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { flushPromises } from '@vue/test-utils'

// The app's side in miniature: links waiting to be taken, an event the
// test fires, a library with release 3 in it and a store with any release.
const handlers: Record<string, () => void> = {}
let waiting: any[] = []
const synced: number[] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: (n: string, fn: () => void) => { handlers[n] = fn; return () => {} } }))
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  TakeLink: () => Promise.resolve(waiting.shift() ?? null),
  Release: (id: number) => Promise.resolve({ id, title: 'R' + id, price_cents: 700, currency: 'EUR' }),
  Owned: () => Promise.resolve(''),
}))
vi.mock('../../wailsjs/go/app/LibraryAPI', () => ({
  Sync: () => { synced.push(1); return Promise.resolve({}) },
  Releases: () => Promise.resolve([{ purchase_id: 41, release_id: 3, title: 'R3' }]),
  Status: () => Promise.resolve({ dir: '/music' }),
}))
import { useLinks } from './links'
import { useAccount } from './account'
import { useUi } from './ui'
import { useLibrary } from './library'
import { useCatalog } from './catalog'

const settle = flushPromises

describe('megabox:// links', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    waiting = []
    synced.length = 0
  })

  it('opens an owned release in the library after bringing purchases in', async () => {
    useAccount().me = { id: 1, email: 'f@example.com' } as any
    waiting = [{ kind: 'release', release_id: 3 }]
    useLinks().listen()
    await settle()
    expect(synced.length).toBe(1)
    expect(useUi().view).toBe('library')
    expect(useLibrary().focus).toBe(3)
  })

  it('opens a release not owned on its store page, when the event says one waits', async () => {
    useAccount().me = { id: 1, email: 'f@example.com' } as any
    useLinks().listen()
    await settle()
    expect(useUi().view).toBe('account') // nothing waited at start
    waiting = [{ kind: 'release', release_id: 8 }]
    handlers['app:link']()
    await settle()
    expect(useUi().view).toBe('store')
    expect(useCatalog().selected?.id).toBe(8)
  })

  it('waits for sign-in', async () => {
    waiting = [{ kind: 'release', release_id: 3 }]
    const links = useLinks()
    links.listen()
    await settle()
    expect(useUi().view).toBe('account')
    expect(synced.length).toBe(0)
    useAccount().me = { id: 1, email: 'f@example.com' } as any
    await links.open()
    expect(useUi().view).toBe('library')
    expect(links.waiting).toBe(null)
  })
})
