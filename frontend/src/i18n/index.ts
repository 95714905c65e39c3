import { createI18n } from 'vue-i18n'
import en from './en'
import fr from './fr'
import codesEn, { codeErrors as codeErrorsEn } from './codes.en'
import codesFr, { codeErrors as codeErrorsFr } from './codes.fr'
import syncErrorsEn from './syncerrors.en'
import syncErrorsFr from './syncerrors.fr'
import displayEn from './display.en'
import displayFr from './display.fr'
import insightEn from './insight.en'
import insightFr from './insight.fr'
import privacyEn from './privacy.en'
import privacyFr from './privacy.fr'
import preorderEn from './preorder.en'
import preorderFr from './preorder.fr'
import playerEn from './player.en'
import playerFr from './player.fr'
import formatsEn from './formats.en'
import formatsFr from './formats.fr'
import previewWaitEn from './previewwait.en'
import previewWaitFr from './previewwait.fr'
import { setLocale } from '../money'

type Tree = { [k: string]: string | Tree }

// merged is a catalog with more messages grafted in, however deep.
export function merged(base: Tree, more: Tree): Tree {
  const out: Tree = { ...base }
  for (const [k, v] of Object.entries(more)) {
    const b = out[k]
    out[k] = typeof v === 'object' && typeof b === 'object' ? merged(b, v) : v
  }
  return out
}

export const messages = {
  en: merged(merged(merged(en, { ...codesEn, errors: codeErrorsEn }), syncErrorsEn), insightEn),
  fr: merged(merged(merged(fr, { ...codesFr, errors: codeErrorsFr }), syncErrorsFr), insightFr),
}

for (const [lang, more] of [['en', privacyEn], ['fr', privacyFr]] as const) messages[lang] = merged(messages[lang], more)
for (const [lang, more] of [['en', preorderEn], ['fr', preorderFr]] as const) messages[lang] = merged(messages[lang], more)
for (const [lang, more] of [['en', displayEn], ['fr', displayFr]] as const) messages[lang] = merged(messages[lang], more)
for (const [lang, more] of [['en', playerEn], ['fr', playerFr]] as const) messages[lang] = merged(messages[lang], more)
for (const [lang, more] of [['en', formatsEn], ['fr', formatsFr]] as const) messages[lang] = merged(messages[lang], more)
for (const [lang, more] of [['en', previewWaitEn], ['fr', previewWaitFr]] as const) messages[lang] = merged(messages[lang], more)

export function makeI18n(locale = navigator.language?.startsWith('fr') ? 'fr' : 'en') {
  setLocale(locale)
  return createI18n({ legacy: false, locale, fallbackLocale: 'en', messages })
}
