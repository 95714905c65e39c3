import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// The Go side, canned: the settings it keeps and what it was sent.
let kept = { sales: true, sync: false, attention: true }
const sent: any[] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/DesktopAPI', () => ({
  GetNotificationSettings: () => Promise.resolve({ ...kept }),
  SetNotificationSettings: (s: any) => {
    sent.push(s)
    kept = { ...s }
    return Promise.resolve()
  },
}))
import NotificationSettings from './NotificationSettings.vue'
import { makeI18n } from '../i18n'

async function mountIt(lang = 'en') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const w = mount(NotificationSettings, { global: { plugins: [makeI18n(lang), pinia] } })
  await flushPromises()
  return w
}

const box = (w: any, kind: string) => w.get(`input[name=notify-${kind}]`).element as HTMLInputElement

describe('NotificationSettings', () => {
  it('shows each kind as kept and saves a switch turned off', async () => {
    const w = await mountIt()
    expect(w.text()).toContain('When a fan buys something')
    expect([box(w, 'sales').checked, box(w, 'sync').checked, box(w, 'attention').checked]).toEqual([true, false, true])
    await w.get('input[name=notify-sales]').setValue(false)
    await flushPromises()
    expect(sent).toEqual([{ sales: false, sync: false, attention: true }])
    expect(box(w, 'sales').checked).toBe(false)
  })

  it('speaks French', async () => {
    const w = await mountIt('fr')
    expect(w.get('legend').text()).toBe('Notifications du bureau')
    expect(w.text()).toContain('Quand un fan achète quelque chose')
  })
})
