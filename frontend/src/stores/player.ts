import { defineStore } from 'pinia'
import { api, call, on } from '../api'
import type { player } from '../../wailsjs/go/models'

export const usePlayer = defineStore('player', {
  state: () => ({ status: null as player.Status | null }),
  getters: {
    playing: (s) => s.status?.state === 'playing',
    track: (s) => s.status?.track || null,
  },
  actions: {
    listen() {
      on('player:status', (s: player.Status) => (this.status = s))
    },
    async refresh() {
      this.status = await call(api.Player.Status())
    },
    async playRelease(purchaseId: number, start = 0) {
      await call(api.Player.PlayRelease(purchaseId, start))
    },
    async enqueue(purchaseId: number, index: number) {
      await call(api.Player.Enqueue(purchaseId, index))
    },
    async toggle() {
      if (this.playing) await call(api.Player.Pause())
      else await call(api.Player.Play())
    },
    next: () => call(api.Player.Next()),
    previous: () => call(api.Player.Previous()),
    seek: (ms: number) => call(api.Player.SeekTo(Math.round(ms))),
    volume: (v: number) => call(api.Player.SetVolume(v)),
    shuffle(on: boolean) {
      return call(api.Player.SetShuffle(on))
    },
    repeat(mode: string) {
      return call(api.Player.SetRepeat(mode))
    },
    replayGain(mode: string) {
      return call(api.Player.SetReplayGain(mode))
    },
    jump: (i: number) => call(api.Player.JumpTo(i)),
    remove: (i: number) => call(api.Player.Remove(i)),
    clear: () => call(api.Player.Clear()),
  },
})
