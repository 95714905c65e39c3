import { createI18n } from 'vue-i18n'
import en from './en'
import fr from './fr'
import { setLocale } from '../money'

export function makeI18n(locale = navigator.language?.startsWith('fr') ? 'fr' : 'en') {
  setLocale(locale)
  return createI18n({ legacy: false, locale, fallbackLocale: 'en', messages: { en, fr } })
}
