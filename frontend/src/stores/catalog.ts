import { defineStore } from 'pinia'
import { api, call } from '../api'
import type { api as models } from '../../wailsjs/go/models'

export const useCatalog = defineStore('catalog', {
  state: () => ({ query: '', items: [] as models.Release[], next: '', selected: null as models.Release | null, artist: null as models.Artist | null, loading: false }),
  actions: {
    async search(q?: string) {
      if (q !== undefined) this.query = q
      this.loading = true
      try {
        const page = await call(api.Store.Search(this.query, ""))
        this.items = page.items || []
        this.next = page.next_cursor
      } finally {
        this.loading = false
      }
    },
    async more() {
      if (!this.next) return
      const page = await call(api.Store.Search(this.query, this.next))
      this.items.push(...(page.items || []))
      this.next = page.next_cursor
    },
    async open(id: number) {
      this.selected = await call(api.Store.Release(id))
    },
    async openArtist(id: number) {
      this.artist = await call(api.Store.Artist(id))
      this.selected = null
    },
    async buy(key: string, r: models.Release, cents: number, card: string, share: boolean) {
      return call(api.Store.Buy(key, r.id, cents, r.currency, card, share))
    },
    async follow(artistId: number) {
      await call(api.Store.Follow(artistId))
    },
  },
})
