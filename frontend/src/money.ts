// Presentation of money: formatting and reading what the user typed. The
// rules (the split, what a price may be) are the platform's: see stores/rules.

// The user's locale, for money and dates; the i18n setup sets it.
let userLocale = 'en'
export function setLocale(locale: string) {
  userLocale = locale
}

export function formatCents(cents: number, currency: string, locale = userLocale): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: currency || 'EUR' }).format(cents / 100)
}

// longDate says a date the platform gave ("2026-03-01", "2026-03" or
// "2026") in the user's words; anything else as it is.
export function longDate(date: string, locale = userLocale): string {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(date || '')
  if (!m) return date || ''
  if (!m[2]) return m[1]
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3] || 1)))
  const opts: Intl.DateTimeFormatOptions = m[3] ? { dateStyle: 'long', timeZone: 'UTC' } : { year: 'numeric', month: 'long', timeZone: 'UTC' }
  return new Intl.DateTimeFormat(locale, opts).format(d)
}

// dateTime says a moment (an RFC 3339 time) as a date and time in the
// user's locale and time zone; "" for anything else.
export function dateTime(ts: string, locale = userLocale): string {
  const d = new Date(ts)
  return ts && !isNaN(d.getTime()) ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d) : ''
}

// day says the day of a moment (an RFC 3339 time) in the user's locale
// and time zone; "" for anything else.
export function day(ts: string, locale = userLocale): string {
  const d = new Date(ts)
  return ts && !isNaN(d.getTime()) ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d) : ''
}

// amountText is cents as a plain amount to type ("9.99", "9,99" in
// French), without the currency: parseAmount reads it back.
export function amountText(cents: number, locale = userLocale): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false }).format(cents / 100)
}

// parseAmount reads "9.99" or "9,99" into cents; NaN for anything else.
export function parseAmount(text: string): number {
  const t = text.trim().replace(',', '.')
  if (!/^\d{1,7}(\.\d{0,2})?$/.test(t)) return NaN
  return Math.round(parseFloat(t) * 100)
}

export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

// parsePercent reads a share typed in percent ("30", "33.33", "12,5") into
// basis points; NaN for anything else. Whether the share is allowed is the
// platform's rule.
export function parsePercent(text: string): number {
  const t = text.trim().replace(',', '.')
  const m = /^(\d{1,3})(?:\.(\d{0,2}))?$/.exec(t)
  if (!m) return NaN
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
}

// bpsText writes basis points as the number a user types: 3000 → "30",
// 3333 → "33.33", 1250 → "12.5".
export function bpsText(bps: number): string {
  const frac = String(bps % 100).padStart(2, '0').replace(/0+$/, '')
  return String(Math.floor(bps / 100)) + (frac ? '.' + frac : '')
}

// formatBps shows basis points as a percentage in the user's language.
export function formatBps(bps: number, locale = 'en'): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(bps / 10_000)
}
