import { defineStore } from 'pinia'
import { api, call } from '../api'
import { useCatalog } from './catalog'
import type { api as models, app } from '../../wailsjs/go/models'

// What a creator asks for in a batch, as the form holds it.
export interface BatchRequest {
  count: number
  kind: 'free' | 'percent' | 'fixed'
  percentOff: number
  offCents: number
  expires: string // "YYYY-MM-DD" from a date field: the codes work until the end of that day; "" never expires
  label: string
}

// endOfDay is the last moment of a day in the user's own time zone.
export function endOfDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(y, m - 1, d, 23, 59, 59).toISOString()
}

// Codes: a fan redeeming one, a creator's batches. A new batch's codes
// live here until saved or dismissed: the platform never gives them again.
export const useCodes = defineStore('codes', {
  state: () => ({
    releases: [] as app.CodeRelease[], releaseId: 0, batches: [] as models.CodeBatch[],
    created: null as models.CodeBatchCreated | null, savedTo: '',
  }),
  getters: {
    release: (s) => s.releases.find((r) => r.id === s.releaseId) || null,
  },
  actions: {
    // redeem redeems a code: a free one puts its release in the library
    // (brought in now), a discount opens the release in the store at the
    // lower price, with the code in its checkout.
    async redeem(code: string): Promise<models.Redemption> {
      const r = await call(api.Codes.Redeem(code))
      const cat = useCatalog()
      if (r.purchase) cat.refreshLibrary()
      else await cat.openWithCode(code.trim().toUpperCase(), r)
      return r
    },
    async loadReleases() {
      this.releases = (await call(api.Codes.Releases())) || []
      if (!this.release) this.releaseId = this.releases[0]?.id || 0
      await this.loadBatches()
    },
    async loadBatches() {
      this.batches = this.releaseId ? (await call(api.Codes.Batches(this.releaseId))) || [] : []
    },
    async create(req: BatchRequest) {
      const id = this.releaseId
      const created = await call(api.Codes.CreateBatch(id, {
        count: req.count, kind: req.kind, label: req.label.trim(),
        percent_off: req.kind === 'percent' ? req.percentOff : 0, off_cents: req.kind === 'fixed' ? req.offCents : 0,
        expires_at: req.expires ? endOfDay(req.expires) : undefined,
      } as models.CodeBatchCreate))
      this.created = created
      this.savedTo = ''
      if (this.releaseId === id) await this.loadBatches()
    },
    // save saves the new batch's codes where the creator chooses; "" if
    // they cancelled.
    async save(title: string): Promise<string> {
      if (!this.created) return ''
      const path = await call(api.Codes.SaveBatchCSV(this.created, title))
      if (path) this.savedTo = path
      return path
    },
    dismiss() {
      this.created = null
      this.savedTo = ''
    },
    async revoke(batchId: number) {
      const b = await call(api.Codes.RevokeBatch(this.releaseId, batchId))
      const i = this.batches.findIndex((x) => x.id === batchId)
      if (i >= 0) this.batches[i] = b
    },
  },
})
