import { describe, expect, it, vi, beforeEach } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// The Go side, canned: what ExportData and DeleteAccount answer, and what
// they were sent.
let exportAnswer: () => Promise<string> = () => Promise.resolve('')
const titles: string[] = []
let deleteAnswer: () => Promise<void> = () => Promise.resolve()
const deletes: [string, string][] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/PrivacyAPI', () => ({
  ExportData: (title: string) => {
    titles.push(title)
    return exportAnswer()
  },
  DeleteAccount: (pw: string, confirm: string) => {
    deletes.push([pw, confirm])
    return deleteAnswer()
  },
}))
import PrivacyPanel from './PrivacyPanel.vue'
import { makeI18n } from '../i18n'
import { useAccount } from '../stores/account'

const refusal = (code: string, field = '') => Promise.reject(JSON.stringify({ code, field, message: 'platform words' }))

async function mountIt(lang = 'en') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const account = useAccount()
  account.me = { id: 7, email: 'fan@example.com', display_name: 'Fan', creator: false } as any
  const w = mount(PrivacyPanel, { global: { plugins: [makeI18n(lang), pinia] } })
  await flushPromises()
  return { w, account }
}

beforeEach(() => {
  deletes.length = 0
  titles.length = 0
  exportAnswer = () => Promise.resolve('')
  deleteAnswer = () => Promise.resolve()
})

describe('PrivacyPanel', () => {
  it('saves the data where the dialog said, and says so', async () => {
    exportAnswer = () => Promise.resolve('/home/fan/megabox-data-7.zip')
    const { w } = await mountIt()
    await w.get('[data-testid=export-data]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=export-saved]').text()).toBe('Saved to /home/fan/megabox-data-7.zip.')
    expect(titles).toEqual(['Save your data'])
  })

  it('says nothing when the dialog is cancelled, and a second export too soon in French', async () => {
    const { w } = await mountIt('fr')
    await w.get('[data-testid=export-data]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid=export-saved]').exists()).toBe(false)
    expect(titles).toEqual(['Enregistrer vos données'])
    exportAnswer = () => refusal('rate_limited')
    await w.get('[data-testid=export-data]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toBe('Vous venez de télécharger vos données : réessayez dans une minute.')
  })

  it('deletes only once DELETE is typed, says a wrong password, then signs the window out', async () => {
    const { w, account } = await mountIt()
    const button = () => w.get('[data-testid=delete-account] button[type=submit]').element as HTMLButtonElement
    await w.get('input[name=delete-password]').setValue('my password')
    await w.get('input[name=delete-confirm]').setValue('delete')
    expect(button().disabled).toBe(true)
    await w.get('input[name=delete-confirm]').setValue('DELETE')
    expect(button().disabled).toBe(false)

    deleteAnswer = () => refusal('invalid', 'password')
    await w.get('[data-testid=delete-account]').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toBe('Wrong password.')
    expect(account.me).not.toBeNull()

    deleteAnswer = () => Promise.resolve()
    await w.get('input[name=delete-password]').setValue('my password')
    await w.get('[data-testid=delete-account]').trigger('submit')
    await flushPromises()
    expect(deletes).toEqual([['my password', 'DELETE'], ['my password', 'DELETE']])
    expect(account.me).toBeNull()
  })

  it('tells a creator with releases on sale what to do first', async () => {
    deleteAnswer = () => refusal('conflict')
    const { w, account } = await mountIt()
    await w.get('input[name=delete-password]').setValue('pw')
    await w.get('input[name=delete-confirm]').setValue('DELETE')
    await w.get('[data-testid=delete-account]').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toContain('first unpublish your releases on sale')
    expect(account.me).not.toBeNull()
  })
})
