import { describe, expect, it, vi } from 'vitest'

vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: vi.fn(() => () => {}) }))
import { call, toApiError, ApiError } from './index'

describe('the bridge', () => {
  it('turns the Go side JSON rejection into a typed error', async () => {
    const rejected = Promise.reject('{"code":"invalid","message":"the price is 10.00 EUR","field":"amount_cents"}')
    await expect(call(rejected)).rejects.toMatchObject({ name: 'ApiError', code: 'invalid', field: 'amount_cents', message: 'the price is 10.00 EUR' })
  })
  it('keeps unexpected failures as internal errors', () => {
    const e = toApiError(new Error('boom'))
    expect(e).toBeInstanceOf(ApiError)
    expect(e.code).toBe('internal')
    expect(e.message).toBe('boom')
  })
  it('passes results through', async () => {
    await expect(call(Promise.resolve(42))).resolves.toBe(42)
  })
})
