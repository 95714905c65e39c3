import { SaidError, type ApiError } from './api'

type Translate = (key: string, args?: Record<string, unknown>) => string
type Has = (key: string) => boolean

// errorText says an error in the user's language, by its stable code and
// the field it names, and by where it happened (place: "signin",
// "checkout"…) when that changes what it means. The platform's own words
// never reach the screen: they go to the log, with the code.
export function errorText(t: Translate, te: Has, e: ApiError, place = ''): string {
  if (e instanceof SaidError) return e.message
  if (e.code !== 'unavailable') console.warn(`error ${e.code}${e.field ? ' on ' + e.field : ''}: ${e.message}`)
  const keys = [
    place && e.field && `errors.at.${place}.${e.code}.${e.field}`,
    place && `errors.at.${place}.${e.code}`,
    e.field && `errors.field.${e.code}.${e.field}`,
    `errors.code.${e.code}`,
  ]
  for (const k of keys) if (k && te(k)) return t(k)
  return t('errors.code.internal')
}
