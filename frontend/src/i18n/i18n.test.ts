import { describe, expect, it } from 'vitest'
import en from './en'
import fr from './fr'

// keys lists every message path of a catalog.
function keys(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v ? keys(v as Record<string, unknown>, prefix + k + '.') : [prefix + k]))
}

describe('catalogs', () => {
  it('French has every English message, with the same placeholders', () => {
    const frKeys = new Set(keys(fr))
    for (const k of keys(en)) {
      expect(frKeys.has(k), k).toBe(true)
      const get = (o: any) => k.split('.').reduce((x, p) => x[p], o) as string
      const ph = (s: string) => (s.match(/\{\w+\}/g) || []).sort().join()
      expect(ph(get(fr)), k).toBe(ph(get(en)))
    }
  })
})
