// Presentation of money: formatting and reading what the user typed. The
// rules (the split, what a price may be) are the platform's: see stores/rules.

export function formatCents(cents: number, currency: string, locale = 'en'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: currency || 'EUR' }).format(cents / 100)
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
