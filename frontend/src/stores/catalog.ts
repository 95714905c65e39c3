import { defineStore } from 'pinia'
import { api, call, on, ApiError } from '../api'
import { parseAmount } from '../money'
import { useLibrary } from './library'
import { usePlayer } from './player'
import type { api as models } from '../../wailsjs/go/models'

// Checkout is the open release page's purchase, from the form to the sale.
// It lives here, not in the view, so leaving the page and coming back
// keeps what was typed and the payment being waited for.
export interface Checkout {
  amount: string
  share: boolean
  key: string // one idempotency key per distinct request, however often retried
  request: string
  waiting: models.Checkout | null // the payment page open in the browser
  deadline: number // when waiting stops even if the platform still says open (ms)
  ended: '' | 'expired' | 'failed' // how the last checkout ended without a sale
  reason: string // the platform's word on a failed checkout
  purchase: models.Purchase | null // the sale, once the platform confirmed the payment
  code: string // a discount code the checkout names, as the fan typed it
  redemption: models.Redemption | null // what that code gives
}

// Ownership is how the signed-in account holds the open release.
export type Ownership = '' | 'yours' | 'bought'

// A page the platform still calls open this long after its expiry is
// given up on; its own expiry reaches the app on the next poll before that.
const expiryGrace = 60_000
// Waiting never outlasts this, whatever expiry the platform gave.
const longestWait = 2 * 60 * 60_000

function newCheckout(r: models.Release | null): Checkout {
  return {
    amount: r ? (r.price_cents / 100).toFixed(2) : '', share: false, key: '', request: '',
    waiting: null, deadline: 0, ended: '', reason: '', purchase: null, code: '', redemption: null,
  }
}

function deadlineOf(co: models.Checkout, now = Date.now()): number {
  const expires = Date.parse(co.expires_at)
  return isNaN(expires) ? now + longestWait : Math.min(expires + expiryGrace, now + longestWait)
}

export const useCatalog = defineStore('catalog', {
  state: () => ({
    query: '', items: [] as models.Release[], next: '', selected: null as models.Release | null, artist: null as models.Artist | null,
    loading: false, owned: '' as Ownership, checkout: newCheckout(null),
    previewing: 0, // the track whose preview is being fetched
    previewPct: null as number | null, // how far the platform is in making it, while it waits
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
    async open(id: number) {
      const [r, owned] = await Promise.all([call(api.Store.Release(id)), call(api.Store.Owned(id))])
      this.selected = r
      this.owned = owned as Ownership
      this.checkout = newCheckout(r)
    },
    // openWithCode opens the release a discount code is for, at the price
    // the code gives; its checkout names the code.
    async openWithCode(code: string, r: models.Redemption) {
      await this.open(r.release_id)
      Object.assign(this.checkout, { code, redemption: r, amount: (r.pay_cents / 100).toFixed(2) })
    },
    // dropCode goes back to the release's own price.
    dropCode() {
      if (this.selected) this.checkout = newCheckout(this.selected)
    },
    close() {
      this.selected = null
    },
    async openArtist(id: number) {
      this.artist = await call(api.Store.Artist(id))
      this.selected = null
    },
    // pay asks the platform for a payment page for the open release with
    // what the form holds; the app opens it in the browser.
    async pay() {
      const r = this.selected!
      const c = this.checkout
      const cents = parseAmount(c.amount)
      const request = JSON.stringify([r.id, cents, r.currency, c.share, c.code])
      if (request !== c.request || !c.key) {
        c.request = request
        c.key = crypto.randomUUID()
      }
      c.ended = ''
      this.settle(await call(api.Store.Checkout(c.key, r.id, cents, r.currency, c.share, c.code)))
    },
    // poll asks the platform once how the awaited payment stands.
    async poll() {
      const c = this.checkout
      const id = c.waiting?.id
      if (!id) return
      if (Date.now() > c.deadline) {
        this.settle({ ...c.waiting!, state: 'expired' } as models.Checkout)
        return
      }
      const co = await call(api.Store.CheckoutState(id))
      if (this.checkout.waiting?.id === id) this.settle(co) // not cancelled, left or signed out meanwhile
    },
    // reopen opens the awaited payment page in the browser again.
    async reopen() {
      const id = this.checkout.waiting?.id
      if (!id) return
      const co = await call(api.Store.OpenCheckout(id))
      if (this.checkout.waiting?.id === id) this.settle(co)
    },
    // cancel stops waiting; the next attempt is a new checkout.
    cancel() {
      this.checkout.waiting = null
      this.checkout.key = ''
    },
    // settle takes a checkout as the platform reports it.
    settle(co: models.Checkout) {
      const c = this.checkout
      switch (co.state) {
        case 'open':
          if (c.waiting?.id !== co.id) c.deadline = deadlineOf(co)
          c.waiting = co
          return
        case 'paid':
          c.waiting = null
          c.key = ''
          c.purchase = co.purchase || null
          this.owned = 'bought'
          this.refreshLibrary()
          return
        default: // expired, failed: the fan may try again, under a new key
          c.waiting = null
          c.key = ''
          c.ended = co.state === 'failed' ? 'failed' : 'expired'
          c.reason = co.error || ''
      }
    },
    // refreshLibrary brings a new purchase into the library now rather than
    // at its next periodic sync.
    refreshLibrary() {
      const lib = useLibrary()
      lib.sync().catch(() => lib.load().catch(() => {}))
    },
    // play plays the release just bought, once it is in the library.
    async play() {
      const p = this.checkout.purchase
      if (!p) return
      await useLibrary().sync()
      await usePlayer().playRelease(p.id, 0)
    },
    // playPreview plays what anyone may hear of a track of the open
    // release before buying it; the app fetches it once and plays it.
    async playPreview(trackId: number) {
      const r = this.selected
      if (!r || this.previewing) return
      this.previewing = trackId
      const off = on('preview:progress', (p: { track_id: number; progress: number }) => {
        if (p.track_id === trackId) this.previewPct = Math.floor(p.progress * 100)
      })
      try {
        await call(api.Store.PlayPreview(r.id, trackId))
      } finally {
        off()
        this.previewing = 0
        this.previewPct = null
      }
      await usePlayer().refresh()
    },
    // playOwned plays the open release from track index, from the library.
    async playOwned(index: number) {
      const lib = useLibrary()
      const find = () => lib.releases.find((x) => x.release_id === this.selected?.id)
      if (!find()) await lib.sync() // bought here a moment ago: not mirrored yet
      const owned = find()
      if (!owned) throw new ApiError('not_found', 'not in the library yet')
      // By id: the library lists only what is mirrored (a pre-order's other tracks come on its day).
      const at = owned.tracks.findIndex((x) => x.id === this.selected?.tracks[index]?.id)
      await usePlayer().playRelease(owned.purchase_id, at < 0 ? index : at)
    },
    // follow follows an artist; the email choices are off unless ticked.
    async follow(artistId: number, email = false, shareEmail = false) {
      await call(api.Store.FollowWith(artistId, email, shareEmail))
    },
  },
})
