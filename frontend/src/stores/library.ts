import { defineStore } from 'pinia'
import { api, call } from '../api'
import type { app, library } from '../../wailsjs/go/models'

export const useLibrary = defineStore('library', {
  state: () => ({
    releases: [] as library.Release[], status: null as app.LibraryStatus | null, report: null as library.Report | null, busy: false,
    focus: 0, // the release a megabox:// link opened, shown first
    format: '', // what the library mirrors purchases in
  }),
  actions: {
    async load() {
      this.releases = (await call(api.Library.Releases())) || []
      this.status = await call(api.Library.Status())
    },
    async loadFormat() {
      this.format = await call(api.Library.Format())
    },
    // setFormat chooses the library's format; the releases are mirrored
    // again in it, which load() then shows as it goes.
    async setFormat(format: string) {
      await call(api.Library.SetFormat(format))
      this.format = format
      await this.load()
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
