import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

// The app's start-up, canned: before it finishes the platform is unknown
// and Me says the app is still starting.
let ready = false
const handlers: Record<string, ((p: unknown) => void)[]> = {}
vi.mock('../../wailsjs/runtime/runtime', () => ({
  EventsOn: (name: string, fn: (p: unknown) => void) => {
    ;(handlers[name] ||= []).push(fn)
    return () => { handlers[name] = handlers[name].filter((f) => f !== fn) }
  },
}))
vi.mock('../../wailsjs/go/app/AccountAPI', () => ({
  Platform: () => Promise.resolve(ready ? { url: 'http://127.0.0.1:9000', local: true, demo_creator: 'demo@megabox.local' } : { url: '', local: false }),
  Role: () => Promise.resolve(ready ? 'make' : ''),
  SetRole: () => Promise.resolve(),
  Me: () => Promise.reject(JSON.stringify(ready ? { code: 'unauthorized', message: 'sign in first' } : { code: 'unavailable', message: 'Megabox is still starting. Try again in a moment.' })),
}))
import { useAccount } from './account'

function emit(name: string) {
  for (const fn of handlers[name] ?? []) fn(true)
}

describe('account after a slow start', () => {
  beforeEach(() => {
    ready = false
    for (const k of Object.keys(handlers)) delete handlers[k]
    setActivePinia(createPinia())
  })

  it('looks again when the app says it is ready, if the first look came too early', async () => {
    const account = useAccount()
    await expect(account.load()).rejects.toMatchObject({ code: 'unavailable' })
    expect(account.platform?.url).toBe('')
    const again = vi.fn(() => account.load())
    const stop = account.onReady(again)
    ready = true
    emit('app:ready')
    await vi.waitFor(() => expect(account.platform?.url).toBe('http://127.0.0.1:9000'))
    expect(again).toHaveBeenCalledTimes(1)
    expect(account.platform?.local).toBe(true)
    expect(account.role).toBe('make')
    stop()
    emit('app:ready')
    expect(again).toHaveBeenCalledTimes(1)
  })

  it('does not look again when the first look already knew the platform', async () => {
    ready = true
    const account = useAccount()
    await account.load()
    const again = vi.fn()
    account.onReady(again)
    emit('app:ready')
    expect(again).not.toHaveBeenCalled()
  })
})
