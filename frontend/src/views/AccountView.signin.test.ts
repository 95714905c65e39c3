import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// A signed-out person on this computer's platform, or on a remote one.
let platform: any = {}
const signIns: string[][] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/AccountAPI', () => ({
  Platform: () => Promise.resolve(platform),
  Role: () => Promise.resolve('listen'),
  SetRole: () => Promise.resolve(),
  Me: () => Promise.reject('{"code":"unauthorized","message":"sign in"}'),
  SignIn: (email: string, pw: string) => {
    signIns.push([email, pw])
    return Promise.resolve({ id: 2, email, display_name: 'Demo Fan', creator: false })
  },
}))
import AccountView from './AccountView.vue'
import { useAccount } from '../stores/account'
import { useUi } from '../stores/ui'
import { makeI18n } from '../i18n'

async function mountView(lang = 'en') {
  const pinia = createPinia()
  setActivePinia(pinia)
  await useAccount().load()
  const w = mount(AccountView, { global: { plugins: [makeI18n(lang), pinia] } })
  await flushPromises()
  return w
}

describe('AccountView signed out', () => {
  beforeEach(() => {
    signIns.length = 0
  })

  it('offers the demo accounts in one click and shows no address, port or setting', async () => {
    platform = { url: 'http://127.0.0.1:40611', host: '', local: true, demo_fan: 'fan@demo.megabox.local', demo_creator: 'nova@demo.megabox.local', demo_password: 'PW123' }
    const w = await mountView()
    const text = w.text()
    expect(text).not.toMatch(/127\.0\.0\.1|40611|MEGABOX_|http:/)
    await w.get('[data-testid=demo-fan]').trigger('click')
    await flushPromises()
    expect(signIns).toEqual([['fan@demo.megabox.local', 'PW123']])
    expect(useUi().view).toBe('library')
  })

  it('names a remote platform by its host, in French too', async () => {
    platform = { url: 'https://music.example.org:8443', host: 'music.example.org', local: false }
    const w = await mountView('fr')
    expect(w.get('[data-testid=platform-host]').text()).toBe('Connecté à music.example.org')
    expect(w.find('[data-testid=demo]').exists()).toBe(false)
    expect(w.text()).not.toMatch(/8443|https:/)
  })
})
