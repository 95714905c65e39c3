import { describe, expect, it } from 'vitest'
import en from './player.en'
import fr from './player.fr'

function keys(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v ? keys(v as Record<string, unknown>, prefix + k + '.') : [prefix + k]))
}

describe('player catalogs', () => {
  it('French says every English player message, with the same placeholders', () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort())
    const get = (o: any, k: string) => k.split('.').reduce((x, p) => x[p], o) as string
    const ph = (s: string) => (s.match(/\{\w+\}/g) || []).sort().join()
    for (const k of keys(en)) expect(ph(get(fr, k)), k).toBe(ph(get(en, k)))
  })
})
