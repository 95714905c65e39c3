import { defineStore } from 'pinia'
import { api, call } from '../api'
import type { app, library } from '../../wailsjs/go/models'

export const useLibrary = defineStore('library', {
  state: () => ({
    releases: [] as library.Release[], status: null as app.LibraryStatus | null, report: null as library.Report | null, busy: false,
    focus: 0, // the release a megabox:// link opened, shown first
  }),
  actions: {
    async load() {
      this.releases = (await call(api.Library.Releases())) || []
      this.status = await call(api.Library.Status())
    },
    async sync() {
      this.busy = true
      try {
        await call(api.Library.Sync())
        await this.load()
      } finally {
        this.busy = false
      }
    },
    async check() {
      this.report = await call(api.Library.Check())
      await this.load()
    },
  },
})
