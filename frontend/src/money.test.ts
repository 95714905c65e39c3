import { describe, expect, it } from 'vitest'
import { parseAmount, clock, formatCents } from './money'

describe('parseAmount', () => {
  it('reads dots and commas, refuses the rest', () => {
    expect(parseAmount('9.99')).toBe(999)
    expect(parseAmount('9,5')).toBe(950)
    expect(parseAmount(' 10 ')).toBe(1000)
    for (const bad of ['', 'abc', '-1', '1.999', '1e3', '99999999']) expect(parseAmount(bad)).toBeNaN()
  })
})

describe('formatting', () => {
  it('formats clocks and money', () => {
    expect(clock(61000)).toBe('1:01')
    expect(formatCents(900, 'EUR')).toBe('€9.00')
  })
})
