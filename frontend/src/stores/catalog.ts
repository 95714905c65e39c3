import { defineStore } from 'pinia'
import { api, call } from '../api'
import { parseAmount } from '../money'
import type { api as models } from '../../wailsjs/go/models'

// Checkout is the form of the open release page. It lives here, not in the
// view, so leaving the page and coming back keeps what was typed.
export interface Checkout {
  amount: string
  card: string
  share: boolean
  bought: boolean
  key: string // one idempotency key per distinct request, however often retried
  request: string
}

// Ownership is how the signed-in account holds the open release.
export type Ownership = '' | 'yours' | 'bought'

function newCheckout(r: models.Release | null, card = ''): Checkout {
  return { amount: r ? (r.price_cents / 100).toFixed(2) : '', card, share: false, bought: false, key: '', request: '' }
}

export const useCatalog = defineStore('catalog', {
  state: () => ({
    query: '', items: [] as models.Release[], next: '', selected: null as models.Release | null, artist: null as models.Artist | null,
    loading: false, testCard: '', owned: '' as Ownership, checkout: newCheckout(null),
  }),
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
    async loadTestCard() {
      if (!this.testCard) this.testCard = await call(api.Store.TestCard())
      if (!this.checkout.card) this.checkout.card = this.testCard
    },
    async open(id: number) {
      const [r, owned] = await Promise.all([call(api.Store.Release(id)), call(api.Store.Owned(id))])
      this.selected = r
      this.owned = owned as Ownership
      this.checkout = newCheckout(r, this.testCard)
    },
    close() {
      this.selected = null
    },
    async openArtist(id: number) {
      this.artist = await call(api.Store.Artist(id))
      this.selected = null
    },
    // buy pays for the open release with what the checkout form holds.
    async buy() {
      const r = this.selected!
      const c = this.checkout
      const cents = parseAmount(c.amount)
      const request = JSON.stringify([r.id, cents, r.currency, c.card, c.share])
      if (request !== c.request || !c.key) {
        c.request = request
        c.key = crypto.randomUUID()
      }
      const p = await call(api.Store.Buy(c.key, r.id, cents, r.currency, c.card, c.share))
      c.bought = true
      this.owned = 'bought'
      return p
    },
    async follow(artistId: number) {
      await call(api.Store.Follow(artistId))
    },
  },
})
