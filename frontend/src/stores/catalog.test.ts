import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
const buys: any[][] = []
let owned = ''
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  Release: (id: number) => Promise.resolve({ id, title: 'R' + id, price_cents: 700, currency: 'EUR' }),
  Owned: () => Promise.resolve(owned),
  TestCard: () => Promise.resolve('4242424242424242'),
  Buy: (...a: any[]) => {
    buys.push(a)
    return a[4] === '4000000000000002' ? Promise.reject('{"code":"payment","message":"card declined"}') : Promise.resolve({ id: 1 })
  },
}))
import { useCatalog } from './catalog'

describe('catalog checkout', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    buys.length = 0
    owned = ''
  })
  it('keeps the amount and card of the open release in the store', async () => {
    const c = useCatalog()
    await c.loadTestCard()
    await c.open(3)
    expect(c.checkout.amount).toBe('7.00')
    expect(c.checkout.card).toBe('4242424242424242')
    c.checkout.amount = '9.50'
    await c.buy()
    expect(buys[0].slice(1)).toEqual([3, 950, 'EUR', '4242424242424242', false])
    expect(buys[0][0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(c.owned).toBe('bought')
  })
  it('retries one request under one key and a changed request under a new one', async () => {
    const c = useCatalog()
    await c.open(3)
    c.checkout.card = '4000000000000002'
    await expect(c.buy()).rejects.toMatchObject({ code: 'payment' })
    await expect(c.buy()).rejects.toMatchObject({ code: 'payment' })
    c.checkout.card = '4242424242424242'
    await c.buy()
    expect(buys[1][0]).toBe(buys[0][0])
    expect(buys[2][0]).not.toBe(buys[0][0])
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
    c.$reset()
    expect(c.selected).toBeNull()
    expect(c.checkout.amount).toBe('')
  })
})
