import { defineStore } from 'pinia'
import { api, call, on } from '../api'
import { useAccount } from './account'
import { useCatalog } from './catalog'
import { useLibrary } from './library'
import { useUi } from './ui'

interface Link {
  kind: string
  release_id: number
}

// A megabox:// link (the web's "Add to the Megabox app") opens what it
// names: the release in the library once the account owns it (brought in
// at once), otherwise on its store page. Signed out, it waits for sign-in.
export const useLinks = defineStore('links', {
  state: () => ({ waiting: null as Link | null }),
  actions: {
    listen(): () => void {
      const off = on('app:link', () => this.take())
      this.take()
      return off
    },
    async take() {
      const l = await call(api.Store.TakeLink()).catch(() => null)
      if (l) this.waiting = l
      await this.open()
    },
    async open() {
      const account = useAccount()
      const ui = useUi()
      if (!this.waiting) return
      if (!account.signedIn) {
        ui.go('account')
        return
      }
      const id = this.waiting.release_id
      this.waiting = null
      const lib = useLibrary()
      await ui.run('', async () => {
        await lib.sync().catch(() => lib.load())
        if (lib.releases.some((r) => r.release_id === id)) {
          lib.focus = id
          ui.go('library')
          return
        }
        await useCatalog().open(id)
        ui.go('store')
      })
    },
  },
})
