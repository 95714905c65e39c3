import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
// A platform in miniature: one checkout per key, whose state the test sets.
const created: any[][] = []
const asked: string[] = []
let states: Record<string, any> = {}
let owned = ''
const librarySyncs: number[] = []
const co = (id: string, state: string, extra = {}) => ({
  id, state, url: `http://127.0.0.1:1/pay/${id}`, release_id: 3, amount_cents: 950, currency: 'EUR',
  expires_at: new Date(Date.now() + 30 * 60_000).toISOString(), ...extra,
})
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  Release: (id: number) => Promise.resolve({ id, title: 'R' + id, price_cents: 700, currency: 'EUR' }),
  Owned: () => Promise.resolve(owned),
  Checkout: (...a: any[]) => {
    created.push(a)
    if (a[2] < 300) return Promise.reject('{"code":"invalid","message":"at least 3.00","field":"amount_cents"}')
    const id = 'cs_' + a[0]
    states[id] ??= co(id, 'open')
    return Promise.resolve(states[id])
  },
  CheckoutState: (id: string) => {
    asked.push(id)
    return Promise.resolve(states[id])
  },
  OpenCheckout: (id: string) => Promise.resolve(states[id]),
}))
vi.mock('../../wailsjs/go/app/LibraryAPI', () => ({
  Sync: () => {
    librarySyncs.push(Date.now())
    return Promise.resolve({})
  },
  Releases: () => Promise.resolve([{ purchase_id: 41, title: 'R3' }]),
  Status: () => Promise.resolve({ dir: '/music' }),
}))
import { useCatalog } from './catalog'
import { useLibrary } from './library'

const paid = { id: 41, gross_cents: 950, creator_cents: 855, platform_cents: 95, currency: 'EUR' }

describe('catalog checkout', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    created.length = 0
    asked.length = 0
    librarySyncs.length = 0
    states = {}
    owned = ''
  })
  afterEach(() => vi.useRealTimers())

  it('asks for a payment page with the form under one key, and waits while it is open', async () => {
    const c = useCatalog()
    await c.open(3)
    expect(c.checkout.amount).toBe('7.00')
    c.checkout.amount = '9.50'
    c.checkout.share = true
    await c.pay()
    expect(created[0].slice(1)).toEqual([3, 950, 'EUR', true, ''])
    expect(created[0][0]).toMatch(/^[0-9a-f-]{36}$/)
    const id = c.checkout.waiting?.id
    expect(id).toBe('cs_' + created[0][0])
    await c.poll()
    expect(asked).toEqual([id])
    expect(c.checkout.waiting?.id).toBe(id)
    expect(c.owned).toBe('')
  })

  it('shows the purchase once paid and brings it into the library', async () => {
    const c = useCatalog()
    await c.open(3)
    c.checkout.amount = '9.50'
    await c.pay()
    const id = c.checkout.waiting!.id
    states[id] = co(id, 'paid', { purchase: paid })
    await c.poll()
    expect(c.checkout.waiting).toBeNull()
    expect(c.checkout.purchase).toEqual(paid)
    expect(c.owned).toBe('bought')
    await vi.waitFor(() => expect(useLibrary().releases.map((r) => r.title)).toEqual(['R3']))
    expect(librarySyncs.length).toBe(1)
  })

  it('retries one request under one key and a changed request under a new one', async () => {
    const c = useCatalog()
    await c.open(3)
    c.checkout.amount = '2.00'
    await expect(c.pay()).rejects.toMatchObject({ code: 'invalid', field: 'amount_cents' })
    await expect(c.pay()).rejects.toMatchObject({ field: 'amount_cents' })
    c.checkout.amount = '4.00'
    await c.pay()
    expect(created[1][0]).toBe(created[0][0])
    expect(created[2][0]).not.toBe(created[0][0])
  })

  it('after an expired or failed page the fan tries again under a new key', async () => {
    const c = useCatalog()
    await c.open(3)
    await c.pay()
    let id = c.checkout.waiting!.id
    states[id] = co(id, 'expired')
    await c.poll()
    expect(c.checkout.waiting).toBeNull()
    expect(c.checkout.ended).toBe('expired')
    await c.pay()
    expect(created[1][0]).not.toBe(created[0][0])
    expect(c.checkout.ended).toBe('')
    id = c.checkout.waiting!.id
    states[id] = co(id, 'failed', { error: 'the release was withdrawn' })
    await c.poll()
    expect(c.checkout.ended).toBe('failed')
    expect(c.checkout.reason).toBe('the release was withdrawn')
    await c.pay()
    expect(new Set(created.map((a) => a[0])).size).toBe(3)
  })

  it('stops waiting at the deadline even if the platform never answers otherwise', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const c = useCatalog()
    await c.open(3)
    await c.pay()
    vi.setSystemTime(Date.now() + 31 * 60_000 + 60_000)
    await c.poll()
    expect(asked).toEqual([])
    expect(c.checkout.waiting).toBeNull()
    expect(c.checkout.ended).toBe('expired')
  })

  it('ignores an answer that arrives after the fan cancelled', async () => {
    const c = useCatalog()
    await c.open(3)
    await c.pay()
    const id = c.checkout.waiting!.id
    states[id] = co(id, 'paid', { purchase: paid })
    const polling = c.poll()
    c.cancel()
    await polling
    expect(c.checkout.purchase).toBeNull()
    expect(c.owned).toBe('')
    await c.pay()
    expect(created[1][0]).not.toBe(created[0][0])
  })

  it('says when the release is already the account’s', async () => {
    owned = 'yours'
    const c = useCatalog()
    await c.open(4)
    expect(c.owned).toBe('yours')
  })

  it('forgets everything on reset', async () => {
    const c = useCatalog()
    await c.open(3)
    await c.pay()
    c.$reset()
    expect(c.selected).toBeNull()
    expect(c.checkout.amount).toBe('')
    expect(c.checkout.waiting).toBeNull()
  })
})
