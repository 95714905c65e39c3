import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

const asked: any[][] = []
const exported: any[][] = []
const insight = {
  from: '2026-03-08T00:00:00Z', to: '2026-03-11T00:00:00Z', currency: 'EUR',
  days: [
    { day: '2026-03-08', release_id: 7, release_title: 'Copper Hours', plays: 3, previews: 8, sales: 1, gross_cents: 600, conversion: 0.125 },
    { day: '2026-03-10', release_id: 7, release_title: 'Copper Hours', plays: 2, previews: 4, sales: 2, gross_cents: 1200, conversion: 0.5 },
    { day: '2026-03-10', release_id: 8, release_title: 'Tidal Lines', plays: 1, previews: 0, sales: 0, gross_cents: 0 },
  ],
  totals: { plays: 6, previews: 12, sales: 3, gross_cents: 1800, conversion: 0.25 },
  countries: [{ country: 'DE', sales: 2 }, { country: 'FR', sales: 1 }],
}
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/InsightAPI', () => ({
  Releases: () => Promise.resolve([{ id: 7, title: 'Copper Hours' }, { id: 8, title: 'Tidal Lines' }]),
  Insight: (from: string, to: string, rel: number) => {
    asked.push([from, to, rel])
    return Promise.resolve(rel === 8 ? { ...insight, release_id: 8, days: [insight.days[2]], totals: { plays: 1, previews: 0, sales: 0, gross_cents: 0 }, countries: [] } : insight)
  },
  ExportCSV: (from: string, to: string, rel: number) => {
    exported.push([from, to, rel])
    return Promise.resolve('/home/nova/megabox-insight.csv')
  },
}))
import InsightPanel from './InsightPanel.vue'
import { makeI18n } from '../i18n'

// The chart is a stub that shows the numbers it was given.
const InsightChart = { props: ['days'], template: '<div data-testid="chart">{{ JSON.stringify(days) }}</div>' }

async function mountIn(lang: string) {
  setActivePinia(createPinia())
  const w = mount(InsightPanel, { global: { plugins: [makeI18n(lang)], stubs: { InsightChart } } })
  await flushPromises()
  return w
}
const text = (w: Awaited<ReturnType<typeof mountIn>>, id: string) => w.get(`[data-testid=${id}]`).text().replace(/\s/g, ' ')

describe('InsightPanel', () => {
  beforeEach(() => {
    asked.length = 0
    exported.length = 0
    vi.useFakeTimers({ toFake: ['Date'] }) // "the last 30 days" ends on a known day
    vi.setSystemTime(new Date('2026-03-10T12:00:00Z'))
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('shows the period’s totals, the conversion as a rate and the top countries in the user’s language', async () => {
    let w = await mountIn('en')
    expect(asked).toEqual([['2026-02-09', '', 0]])
    expect(text(w, 'insight-plays')).toBe('6')
    expect(text(w, 'insight-previews')).toBe('12')
    expect(text(w, 'insight-sales')).toBe('3')
    expect(text(w, 'insight-gross')).toBe('€18.00')
    expect(text(w, 'insight-conversion')).toBe('25%')
    expect(w.findAll('[data-testid=insight-countries] tbody tr').map((r) => r.text())).toEqual(['Germany2', 'France1'])
    w = await mountIn('fr')
    expect(text(w, 'insight-conversion')).toBe('25 %')
    expect(text(w, 'insight-gross')).toBe('18,00 €')
    expect(w.findAll('[data-testid=insight-countries] tbody tr').map((r) => r.text())).toEqual(['Allemagne2', 'France1'])
    expect(w.text()).toContain('Écoutes dans l’app')
  })

  it('charts every day of the period, the releases of a day added up and empty days as zeros', async () => {
    const w = await mountIn('en')
    expect(JSON.parse(w.get('[data-testid=chart]').text())).toEqual([
      { day: '2026-03-08', plays: 3, previews: 8, sales: 1 },
      { day: '2026-03-09', plays: 0, previews: 0, sales: 0 },
      { day: '2026-03-10', plays: 3, previews: 4, sales: 2 },
    ])
  })

  it('reads one release when chosen, says when no country is known, and exports the same period', async () => {
    const w = await mountIn('en')
    await w.get('[data-testid=insight-release]').setValue('8')
    await w.get('[data-testid=insight-days]').setValue('7')
    await flushPromises()
    expect(asked.slice(1)).toEqual([['2026-02-09', '', 8], ['2026-03-04', '', 8]])
    expect(text(w, 'insight-conversion')).toBe('—')
    expect(w.find('[data-testid=insight-countries]').exists()).toBe(false)
    expect(w.text()).toContain('No sale with a known country in this period.')
    await w.get('[data-testid=insight-export]').trigger('click')
    await flushPromises()
    expect(exported).toEqual([['2026-03-04', '', 8]])
  })
})
