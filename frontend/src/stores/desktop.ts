import { defineStore } from 'pinia'
import { api, call } from '../api'
import type { notify } from '../../wailsjs/go/models'

// Which desktop notifications show: each kind can be turned off.
export const useDesktop = defineStore('desktop', {
  state: () => ({ notifications: null as notify.Settings | null }),
  actions: {
    async loadNotifications() {
      this.notifications = await call(api.Desktop.GetNotificationSettings())
    },
    async setNotifications(s: notify.Settings) {
      await call(api.Desktop.SetNotificationSettings(s))
      this.notifications = s
    },
  },
})
