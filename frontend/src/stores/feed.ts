import { defineStore } from 'pinia'
import { api, call } from '../api'
import type { api as models } from '../../wailsjs/go/models'

// The news of the artists the fan follows, newest first, a page at a time.
export const useFeed = defineStore('feed', {
  state: () => ({
    items: [] as models.Announcement[],
    next: '',
    loaded: false,
  }),
  actions: {
    async load() {
      const p = await call(api.Store.Feed(''))
      this.items = p.items || []
      this.next = p.next_cursor || ''
      this.loaded = true
    },
    async more() {
      if (!this.next) return
      const p = await call(api.Store.Feed(this.next))
      this.items.push(...(p.items || []))
      this.next = p.next_cursor || ''
    },
  },
})
