import { describe, expect, it } from 'vitest'
import { parseAmount, clock, formatCents, parsePercent, bpsText, formatBps, longDate, setLocale, dateTime, day, amountText } from './money'

describe('parseAmount', () => {
  it('reads dots and commas, refuses the rest', () => {
    expect(parseAmount('9.99')).toBe(999)
    expect(parseAmount('9,5')).toBe(950)
    expect(parseAmount(' 10 ')).toBe(1000)
    for (const bad of ['', 'abc', '-1', '1.999', '1e3', '99999999']) expect(parseAmount(bad)).toBeNaN()
  })
})

describe('moments and amounts in the user’s locale', () => {
  it('says a time and a day in English and French, and nothing for what is not a time', () => {
    const ts = '2026-03-01T09:30:00Z'
    const hour = new Date(ts).getHours() // the test machine's time zone
    setLocale('en')
    expect(day(ts)).toBe('Mar 1, 2026')
    expect(dateTime(ts)).toMatch(/^Mar 1, 2026, \d{1,2}:30\s?[AP]M$/)
    setLocale('fr')
    expect(day(ts)).toBe('1 mars 2026')
    expect(dateTime(ts)).toBe(`1 mars 2026, ${String(hour).padStart(2, '0')}:30`)
    expect(amountText(1000)).toBe('10,00')
    expect(parseAmount(amountText(123456))).toBe(123456)
    setLocale('en')
    expect(amountText(123456)).toBe('1234.56')
    for (const bad of ['', 'soon', '0001-99-99T']) {
      expect(day(bad)).toBe('')
      expect(dateTime(bad)).toBe('')
    }
  })
})

describe('formatting', () => {
  it('formats clocks and money', () => {
    expect(clock(61000)).toBe('1:01')
    expect(formatCents(900, 'EUR')).toBe('€9.00')
  })
  it('says money and dates in the user’s locale', () => {
    setLocale('fr')
    expect(formatCents(123456, 'EUR').replace(/\s/g, ' ')).toBe('1 234,56 €')
    expect(longDate('2026-03-01')).toBe('1 mars 2026')
    expect(longDate('2026-03')).toBe('mars 2026')
    setLocale('en')
    expect(longDate('2026-03-01')).toBe('March 1, 2026')
    expect(longDate('2026')).toBe('2026')
    expect(longDate('soon')).toBe('soon')
  })
})

describe('percentages', () => {
  it('reads a share in percent into basis points, refuses the rest', () => {
    expect(parsePercent('30')).toBe(3000)
    expect(parsePercent('33.33')).toBe(3333)
    expect(parsePercent('12,5')).toBe(1250)
    expect(parsePercent(' 0.01 ')).toBe(1)
    expect(parsePercent('100')).toBe(10000)
    expect(parsePercent('7.')).toBe(700)
    for (const bad of ['', 'abc', '-1', '1.999', '1e3', '1000', '.5']) expect(parsePercent(bad)).toBeNaN()
  })
  it('writes basis points back as typed and as a percentage', () => {
    for (const bps of [3000, 3333, 1250, 1, 10000, 5]) expect(parsePercent(bpsText(bps))).toBe(bps)
    expect(bpsText(1250)).toBe('12.5')
    expect(bpsText(5)).toBe('0.05')
    expect(formatBps(7000)).toBe('70%')
    expect(formatBps(3333, 'fr')).toBe('33,33\u00a0%')
  })
})
