import { defineStore } from 'pinia'
import { ApiError, toApiError } from '../api'

export const views = ['account', 'sync', 'store', 'library', 'earnings', 'fans'] as const
export type View = (typeof views)[number]

// Errors belong to the place that caused them: a form, a field or one
// release card ('' is the page itself). Each shows next to its place, is
// replaced by the next attempt's outcome there and is gone after navigation.
export const useUi = defineStore('ui', {
  state: () => ({ view: 'account' as View, message: '', errors: {} as Record<string, ApiError> }),
  getters: {
    error: (s): ApiError | null => s.errors[''] ?? null,
  },
  actions: {
    go(v: View) {
      this.view = v
      this.errors = {}
    },
    fail(e: unknown) {
      this.failAt('', e)
    },
    failAt(place: string, e: unknown) {
      this.errors[place] = toApiError(e)
    },
    clear(place: string) {
      delete this.errors[place]
    },
    // run does fn for place: its error shows there, success clears it.
    async run<T>(place: string, fn: () => Promise<T>): Promise<T | undefined> {
      try {
        const v = await fn()
        this.clear(place)
        return v
      } catch (e) {
        this.failAt(place, e)
        return undefined
      }
    },
    note(msg: string) {
      this.message = msg
      setTimeout(() => (this.message === msg ? (this.message = '') : null), 4000)
    },
  },
})
