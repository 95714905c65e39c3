import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// The platform, canned: what it has saved and what it refuses.
let saved: any = { handle: '', display_name: 'Ann', bio: '', links: [] }
const sent: any[] = []
let refuse: string | null = null
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/AccountAPI', () => ({
  Platform: () => Promise.resolve({ url: 'http://127.0.0.1:9000', local: true }),
  Role: () => Promise.resolve('make'),
  SetRole: () => Promise.resolve(),
  Me: () => Promise.resolve({ id: 1, email: 'ann@example.com', display_name: 'Ann', creator: true }),
  Profile: () => Promise.resolve({ profile: saved, url: '' }),
  SaveProfile: (p: any) => {
    sent.push(p)
    if (refuse) return Promise.reject(refuse)
    saved = { ...p, handle: p.handle.trim().replace(/^@/, '').toLowerCase() }
    return Promise.resolve({ profile: saved, url: 'http://127.0.0.1:9000/@' + saved.handle })
  },
}))
import AccountView from './AccountView.vue'
import { useAccount } from '../stores/account'
import { makeI18n } from '../i18n'

async function mountView(lang = 'en') {
  const pinia = createPinia()
  setActivePinia(pinia)
  await useAccount().load()
  const w = mount(AccountView, { global: { plugins: [makeI18n(lang), pinia] } })
  await flushPromises()
  return w
}

describe('AccountView profile', () => {
  beforeEach(() => {
    saved = { handle: '', display_name: 'Ann', bio: '', links: [] }
    sent.length = 0
    refuse = null
  })

  it('shows the public address as the handle is typed and saves the profile with a note', async () => {
    const w = await mountView()
    const url = () => w.get('[data-testid=profile-url]').text()
    expect(url()).toBe('Choose a handle to get a page on the web.')
    expect((w.get('input[name=display_name]').element as HTMLInputElement).value).toBe('Ann')
    await w.get('input[name=handle]').setValue('@Ann-Music')
    expect(url()).toBe('Your page: /@ann-music') // the platform on this computer: its path only
    await w.get('textarea[name=bio]').setValue('Songs for night drives.\nMade in Lyon.')
    const add = w.findAll('button').find((b) => b.text() === 'Add a link')!
    await add.trigger('click')
    await w.get('input[name=link-0]').setValue('https://ann.example')
    await add.trigger('click') // a row left blank
    expect((w.get('input[name=public_collection]').element as HTMLInputElement).checked).toBe(false)
    await w.get('input[name=public_collection]').setValue(true)
    await w.get('form[data-testid=profile]').trigger('submit')
    await flushPromises()
    expect(sent).toEqual([{ handle: '@Ann-Music', display_name: 'Ann', bio: 'Songs for night drives.\nMade in Lyon.', links: ['https://ann.example'], picture_sha256: '',
      public_collection: true }])
    expect(w.get('[data-testid=profile-saved]').text()).toBe('Profile saved.')
    expect((w.get('input[name=handle]').element as HTMLInputElement).value).toBe('ann-music')
    expect(w.findAll('input[type=url]')).toHaveLength(1)
  })

  it('puts each refusal next to the field it names, in the user’s language', async () => {
    const w = await mountView('fr')
    await w.get('input[name=handle]').setValue('bob-beats')
    refuse = '{"code":"conflict","message":"@bob-beats is taken: choose another","field":"handle"}'
    await w.get('form[data-testid=profile]').trigger('submit')
    await flushPromises()
    expect(w.get('#handle-error').text()).toBe('@bob-beats est déjà pris : choisissez-en un autre.')
    expect(w.get('input[name=handle]').attributes('aria-invalid')).toBe('true')
    expect(w.find('[data-testid=profile-saved]').exists()).toBe(false)

    refuse = '{"code":"invalid","message":"enter a full web address, like https://example.com","field":"links[1]"}'
    const add = w.findAll('button').find((b) => b.text() === 'Ajouter un lien')!
    await add.trigger('click')
    await add.trigger('click')
    await w.get('input[name=link-0]').setValue('https://ann.example')
    await w.get('input[name=link-1]').setValue('ann.example')
    await w.get('form[data-testid=profile]').trigger('submit')
    await flushPromises()
    expect(w.find('#handle-error').exists()).toBe(false)
    expect(w.get('#link-1-error').text()).toBe('Saisissez une adresse web complète, comme https://exemple.fr.')
    expect(w.get('input[name=link-1]').attributes('aria-invalid')).toBe('true')
    expect(w.get('input[name=link-0]').attributes('aria-invalid')).toBe('false')

    refuse = '{"code":"invalid","message":"use 3 to 30 lowercase letters","field":"handle"}'
    await w.get('form[data-testid=profile]').trigger('submit')
    await flushPromises()
    expect(w.get('#handle-error').text()).toContain('Utilisez de 3 à 30 lettres minuscules')
  })

  it('shows no profile to a fan', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const acc = useAccount()
    await acc.load()
    acc.me = { ...acc.me!, creator: false } as any
    const w = mount(AccountView, { global: { plugins: [makeI18n('en'), pinia] } })
    await flushPromises()
    expect(w.find('[data-testid=profile]').exists()).toBe(false)
  })
})
