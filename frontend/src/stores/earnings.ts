import { defineStore } from 'pinia'
import { api, call } from '../api'
import type { app, api as models } from '../../wailsjs/go/models'

export const useEarnings = defineStore('earnings', {
  state: () => ({
    byGroup: {} as Record<string, app.EarningsView>,
    fans: null as app.FansView | null,
    payouts: [] as models.Payout[],
  }),
  actions: {
    async load(group: string) {
      this.byGroup[group] = await call(api.Earnings.Earnings(group))
    },
    async loadFans() {
      this.fans = await call(api.Earnings.Fans())
    },
    async loadPayouts() {
      this.payouts = (await call(api.Earnings.Payouts())) || []
    },
    async requestPayout(cents: number, currency: string) {
      await call(api.Earnings.RequestPayout(cents, currency))
      await Promise.all([this.load('month'), this.loadPayouts()])
    },
    exportEarnings: () => call(api.Earnings.ExportEarningsCSV()),
    exportFans: () => call(api.Earnings.ExportFansCSV()),
  },
})
