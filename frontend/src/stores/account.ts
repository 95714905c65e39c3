import { defineStore } from 'pinia'
import { api, call, ApiError } from '../api'
import type { api as models, app } from '../../wailsjs/go/models'

export const useAccount = defineStore('account', {
  state: () => ({ me: null as models.Account | null, platform: null as app.PlatformInfo | null, busy: false, profile: null as app.ProfileView | null }),
  getters: { creator: (s) => !!s.me?.creator, signedIn: (s) => !!s.me },
  actions: {
    async load() {
      this.platform = await call(api.Account.Platform())
      try {
        this.me = await call(api.Account.Me())
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 'unauthorized')) throw e
        this.me = null
      }
    },
    async signIn(email: string, password: string) {
      this.busy = true
      try {
        this.me = await call(api.Account.SignIn(email, password))
      } finally {
        this.busy = false
      }
    },
    async signUp(email: string, password: string, name: string, creator: boolean) {
      this.busy = true
      try {
        this.me = await call(api.Account.SignUp(email, password, name, creator))
      } finally {
        this.busy = false
      }
    },
    async signOut() {
      await call(api.Account.SignOut())
      this.me = null
      this.profile = null
    },
    // loadProfile reads the creator's public profile and where it is.
    async loadProfile() {
      this.profile = await call(api.Account.Profile())
    },
    // saveProfile saves it as typed; the platform's answer is what shows.
    async saveProfile(p: models.Profile) {
      this.profile = await call(api.Account.SaveProfile(p))
      return this.profile
    },
  },
})
