import { defineStore } from 'pinia'
import { api, call } from '../api'
import type { app, api as models } from '../../wailsjs/go/models'

export const useEarnings = defineStore('earnings', {
  state: () => ({
    byGroup: {} as Record<string, app.EarningsView>,
    fans: null as app.FansView | null,
    payouts: [] as models.Payout[],
    account: null as models.PayoutAccount | null,
  }),
  getters: {
    // connected: the provider pays the creator share into the creator's
    // own account at each sale (no payout requests); the sandbox does not.
    connected: (s) => !!s.account && (s.account.started || s.account.needs_onboarding),
  },
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
    async loadAccount() {
      this.account = await call(api.Earnings.PayoutAccount())
    },
    // setUpPayouts opens the provider's form in the browser; the view asks
    // loadAccount again when the window is back.
    setUpPayouts: () => call(api.Earnings.SetUpPayouts()),
    exportEarnings: () => call(api.Earnings.ExportEarningsCSV()),
    exportFans: () => call(api.Earnings.ExportFansCSV()),
  },
})
