import { describe, expect, it } from 'vitest'
import { split, parseAmount, clock, formatCents } from './money'

describe('split', () => {
  it('gives the platform floor(10 %) and every remainder cent to the artist', () => {
    expect(split(1000)).toEqual({ creator: 900, platform: 100 })
    expect(split(999)).toEqual({ creator: 900, platform: 99 })
    expect(split(9)).toEqual({ creator: 9, platform: 0 })
    expect(split(19)).toEqual({ creator: 18, platform: 1 })
  })
  it('always adds up to what the fan pays', () => {
    for (let g = 0; g < 20000; g += 7) {
      const s = split(g)
      expect(s.creator + s.platform).toBe(g)
      expect(s.platform).toBe(Math.floor(g / 10))
    }
  })
})

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
