import { defineStore } from 'pinia'
import { api, call } from '../api'
import type { api as models, app } from '../../wailsjs/go/models'

// dayBefore is the UTC day n days before today, as "YYYY-MM-DD": the
// platform counts by UTC day.
export function dayBefore(n: number, now = Date.now()): string {
  return new Date(now - n * 86_400_000).toISOString().slice(0, 10)
}

// Insight: a creator's plays, previews, sales and buyers' countries per
// day, for one release (releaseId) or all (0), over the last `days` days.
export const useInsight = defineStore('insight', {
  state: () => ({ releases: [] as app.InsightRelease[], releaseId: 0, days: 30, insight: null as models.Insight | null }),
  actions: {
    async loadReleases() {
      this.releases = (await call(api.Insight.Releases())) || []
    },
    async load() {
      this.insight = await call(api.Insight.Insight(dayBefore(this.days - 1), '', this.releaseId))
    },
    exportCSV() {
      return call(api.Insight.ExportCSV(dayBefore(this.days - 1), '', this.releaseId))
    },
  },
})
