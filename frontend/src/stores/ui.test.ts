import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
import { useUi } from './ui'

describe('ui errors', () => {
  beforeEach(() => setActivePinia(createPinia()))
  it('keeps an error at its place until that place succeeds', async () => {
    const ui = useUi()
    await ui.run('sync.add', () => Promise.reject('{"code":"invalid","message":"that folder does not exist","field":"path"}'))
    expect(ui.errors['sync.add']).toMatchObject({ code: 'invalid', field: 'path', message: 'that folder does not exist' })
    expect(ui.error).toBeNull()
    await ui.run('store.checkout', () => Promise.resolve(1))
    expect(ui.errors['sync.add']).toBeDefined()
    expect(await ui.run('sync.add', () => Promise.resolve(7))).toBe(7)
    expect(ui.errors['sync.add']).toBeUndefined()
  })
  it('forgets every error on navigation', async () => {
    const ui = useUi()
    await ui.run('store.checkout', () => Promise.reject('{"code":"payment","message":"card declined"}'))
    ui.fail('boom')
    ui.go('library')
    expect(ui.errors).toEqual({})
    expect(ui.error).toBeNull()
  })
})
