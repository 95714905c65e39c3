import { defineStore } from 'pinia'
import { ref, watch, type Ref, type WatchSource } from 'vue'
import { api, call, ApiError } from '../api'
import type { api as models, app } from '../../wailsjs/go/models'

// The platform's rules, asked of the Go side: the window never states the
// split or what a price may be itself, so what it shows is what is booked.
export const useRules = defineStore('rules', {
  state: () => ({ limits: null as app.RulesView | null }),
  actions: {
    async load() {
      if (!this.limits) this.limits = await call(api.Rules.Rules())
      return this.limits
    },
    split(grossCents: number): Promise<app.SplitView> {
      return call(api.Rules.Split(grossCents))
    },
    // splitPayees divides a price between the platform, the release's
    // owner and its collaborators; a list the platform would refuse comes
    // back with its problem instead of cents.
    splitPayees(grossCents: number, ownerEmail: string, list: models.ManifestCollaborator[]): Promise<app.PayeesView> {
      return call(api.Rules.SplitPayees(grossCents, ownerEmail, list))
    },
    // checkPrice resolves to what is wrong with a price (its field and the
    // platform's message), or null when the platform would take it.
    async checkPrice(cents: number, currency: string, pwyw: boolean, minCents: number): Promise<ApiError | null> {
      try {
        await call(api.Rules.CheckPrice(cents, currency, pwyw, minCents))
        return null
      } catch (e) {
        if (e instanceof ApiError && e.code === 'invalid') return e
        throw e
      }
    },
  },
})

// answerTo asks again each time source changes and holds the answer to the
// newest question only: a slow answer to an older one never overwrites it.
// ask returns null when there is nothing to ask (the answer is then null).
export function answerTo<Q, A>(source: WatchSource<Q>, ask: (q: Q) => Promise<A> | null): Ref<A | null> {
  const answer = ref(null) as Ref<A | null>
  let asked = 0
  watch(source, async (q) => {
    const n = ++asked
    const p = ask(q)
    if (!p) {
      answer.value = null
      return
    }
    try {
      const a = await p
      if (n === asked) answer.value = a
    } catch {
      if (n === asked) answer.value = null
    }
  }, { immediate: true, deep: true })
  return answer
}
