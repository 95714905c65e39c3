import { defineStore } from 'pinia'
import { api, call, on } from '../api'
import type { api as models, app, sync } from '../../wailsjs/go/models'

export interface FileProgress { state: string; done: number; total: number; error?: string }

export const useSync = defineStore('sync', {
  state: () => ({
    folders: [] as app.FolderView[],
    progress: null as sync.Progress | null,
    live: {} as Record<string, FileProgress>, // root + '/' + path → progress
    paused: false,
  }),
  actions: {
    async load() {
      this.folders = await call(api.Sync.Folders())
      this.progress = await call(api.Sync.Progress())
      this.paused = !!this.progress?.paused
    },
    listen() {
      let timer: number | undefined
      const reload = () => {
        clearTimeout(timer)
        timer = window.setTimeout(() => this.load(), 150)
      }
      on('sync:file', (e: FileProgress & { root: string; path: string }) => {
        this.live[e.root + '/' + e.path] = { state: e.state, done: e.done, total: e.total, error: e.error }
        if (e.state === 'synced' || e.state === 'error') reload()
      })
      on('sync:release', reload)
      on('sync:progress', (p: sync.Progress) => (this.progress = p))
    },
    fileProgress(root: string, dir: string, path: string): FileProgress | undefined {
      return this.live[root + '/' + dir + '/' + path]
    },
    async choose() {
      await call(api.Sync.ChooseFolder())
      await this.load()
    },
    async add(path: string) {
      await call(api.Sync.AddFolder(path))
      await this.load()
    },
    async remove(id: number) {
      await call(api.Sync.RemoveFolder(id))
      await this.load()
    },
    async retry() {
      await call(api.Sync.Retry())
    },
    async togglePause() {
      if (this.paused) await call(api.Sync.Resume())
      else await call(api.Sync.Pause())
      this.paused = !this.paused
    },
    async setBandwidth(kbps: number) {
      await call(api.Sync.SetBandwidth(kbps))
    },
    async setPrice(root: number, dir: string, cents: number, currency: string, pwyw: boolean, min: number) {
      await call(api.Sync.SetPrice(root, dir, cents, currency, pwyw, min))
      await this.load()
    },
    async setCollaborators(root: number, dir: string, list: models.ManifestCollaborator[]) {
      await call(api.Sync.SetCollaborators(root, dir, list))
      await this.load()
    },
    // setWebSettings writes a release's slug and preview length to its
    // megabox.json (seconds 0: the platform's default).
    async setWebSettings(root: number, dir: string, slug: string, seconds: number, full: boolean) {
      await call(api.Sync.SetWebSettings(root, dir, slug, seconds, full))
      await this.load()
    },
    async publish(root: number, dir: string) {
      const r = await call(api.Sync.Publish(root, dir))
      await this.load()
      return r
    },
    async unpublish(id: number) {
      await call(api.Sync.Unpublish(id))
      await this.load()
    },
    async confirm(root: number, dir: string) {
      await call(api.Sync.Confirm(root, dir))
      await this.load()
    },
  },
})
