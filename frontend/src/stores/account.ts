import { defineStore } from 'pinia'
import { api, call, on, ApiError } from '../api'
import type { api as models, app } from '../../wailsjs/go/models'

export const useAccount = defineStore('account', {
  state: () => ({
    me: null as models.Account | null, platform: null as app.PlatformInfo | null, busy: false, profile: null as app.ProfileView | null,
    role: '' as '' | 'listen' | 'make', // the first run's answer; '' until given
    loaded: false,
  }),
  getters: { creator: (s) => !!s.me?.creator, signedIn: (s) => !!s.me },
  actions: {
    async load() {
      try {
        this.platform = await call(api.Account.Platform())
        this.role = ((await call(api.Account.Role()).catch(() => '')) || '') as typeof this.role
        this.me = await call(api.Account.Me())
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 'unauthorized')) throw e
        this.me = null
      } finally {
        this.loaded = true
      }
      // Someone signed in before the question was asked answered it then.
      if (this.me && !this.role) await this.setRole(this.me.creator ? 'make' : 'listen')
    },
    // onReady calls fn once the app says start-up has finished, when the
    // first look came too early to know the platform (a slow start).
    onReady(fn: () => void): () => void {
      return on('app:ready', () => {
        if (!this.platform?.url) fn()
      })
    },
    async setRole(role: 'listen' | 'make') {
      this.role = role
      await call(api.Account.SetRole(role)).catch(() => {}) // asked again next time, at worst
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
      this.forget()
    },
    // forget leaves the window signed out (after a sign-out or the
    // account's deletion); what the account saw is cleared on it.
    forget() {
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
