import { describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
import WebSettingsEditor from './WebSettingsEditor.vue'
import { ApiError } from '../api'
import { makeI18n } from '../i18n'

const web = (over: Record<string, unknown> = {}) => ({ slug: '', preview_seconds: 0, full_streaming: false, current_slug: 'night', artist_url: 'http://127.0.0.1:9000/@ann', ...over })
const mountEditor = (props: Record<string, unknown>, lang = 'en') => mount(WebSettingsEditor, { props: props as any, global: { plugins: [makeI18n(lang)] } })

describe('WebSettingsEditor', () => {
  it('shows the page the slug makes and saves the slug and the preview length', async () => {
    const w = mountEditor({ web: web() })
    const url = () => w.get('[data-testid=web-url]').text()
    expect(url()).toBe('Page: http://127.0.0.1:9000/@ann/night')
    expect((w.get('select[name=preview]').element as HTMLSelectElement).value).toBe('30')
    expect(w.findAll('option').map((o) => o.text())).toEqual([
      'the first 15 seconds of each track', 'the first 30 seconds of each track', 'the first 60 seconds of each track',
      'the first 90 seconds of each track', 'every track in full',
    ])
    expect(w.get('button[type=submit]').attributes('disabled')).toBeDefined()
    await w.get('input[name=slug]').setValue('Night-Drive')
    expect(url()).toBe('Page: http://127.0.0.1:9000/@ann/night-drive')
    await w.get('select[name=preview]').setValue('60')
    await w.get('form').trigger('submit')
    await w.get('select[name=preview]').setValue('full')
    await w.get('form').trigger('submit')
    expect(w.emitted('save')).toEqual([['Night-Drive', 60, false], ['Night-Drive', 0, true]])
  })

  it('says a page needs a handle, and keeps a length written by hand', () => {
    const w = mountEditor({ web: web({ artist_url: '', preview_seconds: 45 }) }, 'fr')
    expect(w.get('[data-testid=web-url]').text()).toBe('Choisissez un identifiant dans Compte pour donner une page web à vos sorties.')
    expect((w.get('select[name=preview]').element as HTMLSelectElement).value).toBe('45')
    expect(w.findAll('option').map((o) => o.attributes('value'))).toEqual(['15', '30', '45', '60', '90', 'full'])
  })

  it('puts a refusal next to the field it names', async () => {
    const w = mountEditor({ web: web(), error: new ApiError('invalid', 'use lowercase letters, digits and dashes', 'slug') })
    expect(w.get('input[name=slug]').attributes('aria-invalid')).toBe('true')
    expect(w.get('[role=alert]').text()).toBe('Use lowercase letters, digits and single dashes, like night-drive (at most 80).')
    await w.setProps({ web: web(), error: new ApiError('invalid', 'a preview lasts 5 to 600 seconds', 'preview_seconds') } as any)
    expect(w.get('select[name=preview]').attributes('aria-invalid')).toBe('true')
    expect(w.get('input[name=slug]').attributes('aria-invalid')).toBe('false')
    expect(w.get('[role=alert]').text()).toBe('A preview lasts 5 to 600 seconds.')
    // The platform refused the slug at the last sync: shown until it is changed.
    await w.setProps({ web: web({ slug: 'night', problem: { field: 'slug', message: 'another of your releases uses "night"' } }), error: null } as any)
    expect(w.get('[role=alert]').text()).toBe('Another of your releases uses this address, or did: choose another.')
    await w.get('input[name=slug]').setValue('night-2')
    expect(w.find('[role=alert]').exists()).toBe(false)
  })
})
