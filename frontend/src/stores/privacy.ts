import { defineStore } from 'pinia'
import { privacyApi } from '../api/privacy'
import { useAccount } from './account'

// Privacy: download the account's data, delete the account.
export const usePrivacy = defineStore('privacy', {
  state: () => ({ savedTo: '' }),
  actions: {
    async exportData(title: string) {
      const path = await privacyApi.exportData(title)
      if (path) this.savedTo = path
      return path
    },
    // deleteAccount deletes the account and leaves the window signed out.
    async deleteAccount(password: string, confirm: string) {
      await privacyApi.deleteAccount(password, confirm)
      useAccount().forget()
      this.savedTo = ''
    },
  },
})
