import { defineStore } from 'pinia'
import { ApiError } from '../api'

export const views = ['account', 'sync', 'store', 'library', 'earnings', 'fans'] as const
export type View = (typeof views)[number]

export const useUi = defineStore('ui', {
  state: () => ({ view: 'account' as View, message: '', error: '' }),
  actions: {
    go(v: View) {
      this.view = v
      this.error = ''
    },
    fail(e: unknown) {
      this.error = e instanceof ApiError ? e.message : String(e)
    },
    note(msg: string) {
      this.message = msg
      setTimeout(() => (this.message === msg ? (this.message = '') : null), 4000)
    },
  },
})
