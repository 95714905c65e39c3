import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// The platform's answers to codes, canned: its words are never shown.
const refusals: Record<string, string> = {
  'USED-USED-US': '{"code":"code_used","message":"this code has already been used","field":"code"}',
  'OLD0-OLD0-OL': '{"code":"code_expired","message":"this code expired on 2 January 2026 at 10:00 UTC","field":"code"}',
  'GONE-GONE-GO': '{"code":"code_revoked","message":"this code was withdrawn by the artist","field":"code"}',
  'ELSE-ELSE-EL': '{"code":"code_release","message":"this code is for another release","field":"code"}',
  'NONE-NONE-NO': '{"code":"not_found","message":"this code does not exist: check it and try again","field":"code"}',
  'hello': '{"code":"invalid","message":"a code has 10 letters and digits, like K7QM-P2XW-9D","field":"code"}',
  'MANY-MANY-MA': '{"code":"rate_limited","message":"too many attempts at codes: try again in 15 minutes"}',
  'MINE-MINE-MI': '{"code":"conflict","message":"you own this release already"}',
}
const redeemed: string[] = []
let librarySyncs = 0
const checkouts: any[][] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({ Split: (g: number) => Promise.resolve({ gross: g, creator: g - g / 10, platform: g / 10 }) }))
vi.mock('../../wailsjs/go/app/LibraryAPI', () => ({
  Sync: () => {
    librarySyncs++
    return Promise.resolve({})
  },
  Releases: () => Promise.resolve([]), Status: () => Promise.resolve({ dir: '/music' }),
}))
vi.mock('../../wailsjs/go/app/StoreAPI', () => ({
  Release: (id: number) => Promise.resolve({ id, title: 'Tidal Lines', artist_name: 'Nova Harbor', price_cents: 800, currency: 'EUR', tracks: [] }),
  Owned: () => Promise.resolve(''),
  Search: () => Promise.resolve({ items: [], next_cursor: '' }),
  Checkout: (...a: any[]) => {
    checkouts.push(a)
    return Promise.resolve({ id: 'cs_1', state: 'open', url: 'http://127.0.0.1:1/pay/x', amount_cents: a[2], currency: 'EUR', expires_at: new Date(Date.now() + 60_000).toISOString() })
  },
}))
vi.mock('../../wailsjs/go/app/CodesAPI', () => ({
  Redeem: (code: string) => {
    redeemed.push(code)
    if (refusals[code]) return Promise.reject(refusals[code])
    if (code.startsWith('FREE')) {
      return Promise.resolve({ kind: 'free', release_id: 3, title: 'Copper Hours', artist_name: 'Nova Harbor', currency: 'EUR', price_cents: 600, pay_cents: 0, min_cents: 0,
        pay_what_you_want: true, purchase: { id: 11, release_id: 3, gross_cents: 0, currency: 'EUR' } })
    }
    return Promise.resolve({ kind: 'percent', release_id: 5, title: 'Tidal Lines', artist_name: 'Nova Harbor', currency: 'EUR', price_cents: 800, pay_cents: 600, min_cents: 600,
      pay_what_you_want: false })
  },
}))
import CodeRedeem from './CodeRedeem.vue'
import StoreView from '../views/StoreView.vue'
import { useUi } from '../stores/ui'
import { useCatalog } from '../stores/catalog'
import { useAccount } from '../stores/account'
import { makeI18n, messages } from '../i18n'

let pinia = createPinia()
function mountIn(lang: string) {
  pinia = createPinia()
  setActivePinia(pinia)
  useUi().view = 'library'
  return mount(CodeRedeem, { global: { plugins: [makeI18n(lang), pinia] } })
}
async function redeem(w: ReturnType<typeof mountIn>, code: string) {
  await w.get('input[name=code]').setValue(code)
  await w.get('form').trigger('submit')
  await flushPromises()
}

describe('CodeRedeem', () => {
  beforeEach(() => {
    redeemed.length = 0
    librarySyncs = 0
    checkouts.length = 0
  })

  it('a free code says the release is the fan’s and brings the library in now', async () => {
    const w = mountIn('en')
    await redeem(w, 'FREE-FREE-FR')
    expect(redeemed).toEqual(['FREE-FREE-FR'])
    expect(w.get('[data-testid=redeemed]').text()).toBe('“Copper Hours” by Nova Harbor is now yours: it is coming into your library.')
    expect((w.get('input[name=code]').element as HTMLInputElement).value).toBe('')
    expect(librarySyncs).toBe(1)
    expect(useUi().view).toBe('library')
  })

  // Each refusal in the user's words, by its code; never the platform's.
  const said = {
    en: {
      'USED-USED-US': 'This code has already been used.', 'OLD0-OLD0-OL': 'This code has expired.', 'GONE-GONE-GO': 'This code was withdrawn by the artist.',
      'ELSE-ELSE-EL': 'This code is for another release.', 'NONE-NONE-NO': 'This code does not exist: check it and try again.',
      hello: 'A code has 10 letters and digits, like K7QM-P2XW-9D.', 'MANY-MANY-MA': 'Too many tries at codes: wait a quarter of an hour, then try again.',
      'MINE-MINE-MI': 'You own this release already: it is in your library.',
    },
    fr: {
      'USED-USED-US': 'Ce code a déjà été utilisé.', 'OLD0-OLD0-OL': 'Ce code a expiré.', 'GONE-GONE-GO': 'Ce code a été retiré par l’artiste.',
      'ELSE-ELSE-EL': 'Ce code est pour une autre sortie.', 'NONE-NONE-NO': 'Ce code n’existe pas : vérifiez-le et réessayez.',
      hello: 'Un code a 10 lettres et chiffres, comme K7QM-P2XW-9D.', 'MANY-MANY-MA': 'Trop d’essais de codes : attendez un quart d’heure, puis réessayez.',
      'MINE-MINE-MI': 'Vous avez déjà cette sortie : elle est dans votre bibliothèque.',
    },
  }
  for (const lang of ['en', 'fr'] as const) {
    it(`says each refusal by its code (${lang})`, async () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {})
      const w = mountIn(lang)
      for (const [code, text] of Object.entries(said[lang])) {
        await redeem(w, code)
        const err = w.get('[data-testid=error]')
        expect(err.text(), code).toBe(text)
        expect(w.get('input[name=code]').attributes('aria-invalid')).toBe('true')
        expect(w.find('[data-testid=redeemed]').exists()).toBe(false)
      }
      // The error goes once a code works.
      await redeem(w, 'FREE-FREE-FR')
      expect(w.find('[data-testid=error]').exists()).toBe(false)
      expect(librarySyncs).toBe(1)
    })
  }

  it('asks for a code when none is typed, without asking the platform', async () => {
    const w = mountIn('fr')
    await redeem(w, '   ')
    expect(redeemed).toEqual([])
    expect(w.get('[role=alert]').text()).toBe('Saisissez le code que vous avez reçu.')
  })

  it('a discount code opens its release at the lower price, and the checkout names the code', async () => {
    const w = mountIn('en')
    useAccount().me = { id: 2, email: 'fan@example.com', display_name: 'Fan', creator: false } as any
    await redeem(w, 'k7qm-p2xw-9d')
    expect(useUi().view).toBe('store')
    const cat = useCatalog()
    expect(cat.selected?.id).toBe(5)
    expect(cat.checkout.amount).toBe('6.00')
    const store = mount(StoreView, { global: { plugins: [makeI18n('en'), pinia] } })
    await flushPromises()
    expect(store.get('[data-testid=code-applied]').text()).toBe('Code K7QM-P2XW-9D: €6.00 instead of €8.00. Pay without the code')
    expect(store.get('form.checkout button[type=submit]').text()).toBe('Pay €6.00 by card…')
    await store.get('form.checkout').trigger('submit')
    await flushPromises()
    expect(checkouts.length).toBe(1)
    expect(checkouts[0].slice(1)).toEqual([5, 600, 'EUR', false, 'K7QM-P2XW-9D'])

    // Without the code, the release's own price, and a checkout that names none.
    useCatalog().cancel()
    await flushPromises()
    await store.get('[data-testid=code-applied] button').trigger('click')
    await flushPromises()
    expect(store.find('[data-testid=code-applied]').exists()).toBe(false)
    expect(store.get('form.checkout button[type=submit]').text()).toBe('Pay €8.00 by card…')
    await store.get('form.checkout').trigger('submit')
    await flushPromises()
    expect(checkouts[1].slice(1)).toEqual([5, 800, 'EUR', false, ''])
  })

  it('says the code in French, with money in the French way', async () => {
    const w = mountIn('fr')
    await redeem(w, 'K7QM-P2XW-9D')
    const store = mount(StoreView, { global: { plugins: [makeI18n('fr'), pinia] } })
    await flushPromises()
    expect(store.get('[data-testid=code-applied]').text().replace(/\s/g, ' ')).toBe('Code K7QM-P2XW-9D : 6,00 € au lieu de 8,00 €. Payer sans le code')
  })
})

// keys lists every message path of a catalog.
function keys(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v ? keys(v as Record<string, unknown>, prefix + k + '.') : [prefix + k]))
}

describe('the catalogs with codes', () => {
  it('French has every English message, with the same placeholders, and nothing of the base catalogs is lost', async () => {
    const { default: en } = await import('../i18n/en')
    const all = keys(messages.en)
    for (const k of keys(en)) expect(all, k).toContain(k)
    const fr = new Set(keys(messages.fr))
    const get = (o: any, k: string) => k.split('.').reduce((x, p) => x[p], o) as string
    const ph = (s: string) => (s.match(/\{\w+\}/g) || []).sort().join()
    for (const k of all) {
      expect(fr.has(k), k).toBe(true)
      expect(ph(get(messages.fr, k)), k).toBe(ph(get(messages.en, k)))
    }
  })
})
