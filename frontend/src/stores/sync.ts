import { defineStore } from 'pinia'
import { api, call, on, onFileDrop } from '../api'
import { useUi } from './ui'
import type { app, sync } from '../../wailsjs/go/models'

export interface FileProgress { state: string; done: number; total: number; problem?: sync.Problem }

// The window over which the transfer rate is measured.
export const rateWindowMs = 5000

// transfer is the rate (bytes/s) and time left (s) over the samples, or
// null when nothing moved in the window: no "0 B/s", no endless ETA.
export function transfer(samples: { at: number; bytes: number }[], left: number, now = Date.now()): { rate: number; eta: number } | null {
  const recent = samples.filter((s) => now - s.at <= rateWindowMs)
  if (recent.length < 2 || left <= 0) return null
  const first = recent[0], last = recent[recent.length - 1]
  const secs = (last.at - first.at) / 1000
  const bytes = last.bytes - first.bytes
  if (secs <= 0 || bytes <= 0) return null
  const rate = bytes / secs
  return { rate, eta: left / rate }
}

export const useSync = defineStore('sync', {
  state: () => ({
    folders: [] as app.FolderView[],
    progress: null as sync.Progress | null,
    live: {} as Record<string, FileProgress>, // root + '/' + path → progress
    paused: false,
    remote: [] as app.RemoteRelease[], // the creator's releases no watched folder holds
    dragging: false, // files are being dragged over the window
    drops: [] as app.DroppedPath[], // what became of the last folders dropped
    samples: [] as { at: number; bytes: number }[], // recent progress, for the rate
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
        this.live[e.root + '/' + e.path] = { state: e.state, done: e.done, total: e.total, problem: e.problem }
        if (e.state === 'synced' || e.state === 'error') reload()
      })
      on('sync:release', reload)
      this.listenDrops()
      on('sync:progress', (p: sync.Progress) => this.sample(p))
    },
    // listenDrops watches folders dropped anywhere on the window and says
    // so while something is dragged over it.
    listenDrops() {
      onFileDrop((paths) => this.dropped(paths))
      let depth = 0
      const files = (e: DragEvent) => !!e.dataTransfer?.types.includes('Files')
      window.addEventListener('dragenter', (e) => { if (files(e)) { depth++; this.dragging = true } })
      window.addEventListener('dragleave', (e) => { if (files(e) && --depth <= 0) { depth = 0; this.dragging = false } })
      window.addEventListener('dragover', (e) => { if (files(e)) e.preventDefault() }) // a drop, not a page load
      window.addEventListener('drop', (e) => { if (files(e)) { e.preventDefault(); depth = 0; this.dragging = false } })
    },
    async dropped(paths: string[]) {
      this.dragging = false
      const ui = useUi()
      if (ui.view !== 'sync') ui.go('sync')
      const out = await ui.run('sync.drop', () => this.addDropped(paths))
      if (out) this.drops = out
    },
    // sample keeps the engine's progress and the last few seconds of it:
    // the rate is measured over that window, so it shows only while bytes
    // move.
    sample(p: sync.Progress, at = Date.now()) {
      this.progress = p
      const keep = this.samples.filter((s) => at - s.at <= rateWindowMs && s.bytes <= p.bytes_done)
      keep.push({ at, bytes: p.bytes_done })
      this.samples = keep
    },
    fileProgress(root: string, dir: string, path: string): FileProgress | undefined {
      return this.live[root + '/' + dir + '/' + path]
    },
    async choose(title: string) {
      await call(api.Sync.ChooseFolder(title))
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
    async loadRemote() {
      this.remote = await call(api.Sync.RemoteReleases())
    },
    async saveRelease(root: number, dir: string, d: app.ReleaseDraft) {
      await call(api.Sync.SaveRelease(root, dir, d))
    },
    async publishDraft(root: number, dir: string, d: app.ReleaseDraft) {
      const r = await call(api.Sync.PublishDraft(root, dir, d))
      await this.load()
      return r
    },
    async saveRemote(id: number, d: app.ReleaseDraft) {
      await call(api.Sync.SaveRemote(id, d))
    },
    async publishRemote(id: number, d: app.ReleaseDraft) {
      const r = await call(api.Sync.PublishRemote(id, d))
      await this.loadRemote()
      return r
    },
    // ask puts a yes/no question in a native dialog, worded by the window.
    async ask(title: string, message: string) {
      return call(api.Sync.AskYesNo(title, message))
    },
    // addDropped watches the folders dropped on the window and says what
    // became of each path.
    async addDropped(paths: string[]) {
      const out = await call(api.Sync.AddDropped(paths))
      if (out.some((d) => !d.problem)) await this.load()
      return out
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
