import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import StoreView from './StoreView.vue'
import { useCatalog } from '../stores/catalog'
import { makeI18n } from '../i18n'

// mountStore opens release id in the store view, in lang, on a fresh
// store (the active one); before runs on it first, to sign someone in.
// The test file mocks the bindings the view calls.
export async function mountStore(id: number, lang = 'en', before?: () => void) {
  const pinia = createPinia()
  setActivePinia(pinia)
  before?.()
  await useCatalog().open(id)
  const w = mount(StoreView, { global: { plugins: [makeI18n(lang), pinia] } })
  await flushPromises()
  return w
}
