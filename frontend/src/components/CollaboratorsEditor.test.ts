import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

// The platform's answers, canned by question: the editor must show them,
// never work a share or a cent out itself.
type Collab = { email: string; share_bps: number }
const answers: Record<string, unknown> = {}
const asked: unknown[][] = []
const key = (gross: number, owner: string, list: Collab[]) => JSON.stringify([gross, owner, list])
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/RulesAPI', () => ({
  Rules: () => Promise.resolve({ currencies: ['EUR'], max_price_cents: 100_000_000, min_payout_cents: 1000, max_payees: 8 }),
  SplitPayees: (gross: number, owner: string, list: Collab[]) => {
    asked.push([gross, owner, list])
    const a = answers[key(gross, owner, list)]
    return a ? Promise.resolve(a) : Promise.reject('{"code":"internal","message":"no canned answer"}')
  },
}))
import CollaboratorsEditor from './CollaboratorsEditor.vue'
import { useAccount } from '../stores/account'
import { makeI18n } from '../i18n'

const OWNER = 'ann@example.com'
const bob = { email: 'bob@example.com', share_bps: 3000 }
const cy = { email: 'cy@example.com', share_bps: 2000 }
const noProblem = (gross: number, owner: [number, number], rows: [Collab, number, boolean?][]) => ({
  gross, platform: 0, creator: 0, owner_bps: owner[0], owner_cents: owner[1],
  collaborators: rows.map(([c, cents, isOwner]) => ({ ...c, cents, owner: !!isOwner })),
})
const refused = (gross: number, field: string, reason: string, message = 'the platform says no') => ({
  gross, platform: 0, creator: 0, owner_bps: 0, owner_cents: 0, collaborators: [], problem: { field, reason, message },
})

async function editor(props: Record<string, unknown> = {}, lang = 'en') {
  const pinia = createPinia()
  setActivePinia(pinia)
  useAccount().me = { id: 1, email: OWNER, display_name: 'Ann', creator: true } as never
  const w = mount(CollaboratorsEditor, {
    props: { collaborators: [bob, cy], priceCents: 999, currency: 'EUR', ...props },
    global: { plugins: [makeI18n(lang), pinia] },
  })
  await flushPromises()
  return w
}
type W = Awaited<ReturnType<typeof editor>>
async function type(w: W, name: string, text: string) {
  await w.get(`input[name=${name}]`).setValue(text)
  await flushPromises()
}
const cents = (w: W) => w.findAll('[data-testid=collaborator-cents]').map((c) => c.text())

beforeEach(() => {
  for (const k of Object.keys(answers)) delete answers[k]
  asked.length = 0
  // What the Go binding answers for these (its own test checks the cents).
  answers[key(999, OWNER, [bob, cy])] = noProblem(999, [5000, 450], [[bob, 270], [cy, 180]])
  answers[key(1250, OWNER, [bob, cy])] = noProblem(1250, [5000, 563], [[bob, 337], [cy, 225]])
  answers[key(999, OWNER, [{ ...bob, share_bps: 2500 }, cy])] = noProblem(999, [5500, 495], [[{ ...bob, share_bps: 2500 }, 225], [cy, 180]])
  answers[key(999, OWNER, [bob])] = noProblem(999, [7000, 630], [[bob, 270]])
  answers[key(999, OWNER, [])] = noProblem(999, [10000, 900], [])
})

describe('CollaboratorsEditor', () => {
  it('shows each payee’s cents and what the owner keeps, as the platform splits the price', async () => {
    const w = await editor()
    expect(asked[0]).toEqual([999, OWNER, [bob, cy]])
    expect(w.findAll('[data-testid=collaborator]')).toHaveLength(2)
    expect((w.get('input[name=collaborator-share-0]').element as HTMLInputElement).value).toBe('30')
    expect(cents(w)).toEqual(['€2.70', '€1.80'])
    expect(w.get('[data-testid=owner-keeps]').text()).toBe('You keep 50%: €4.50 of a €9.99 sale.')
  })
  it('asks again as the share or the price changes, in basis points', async () => {
    const w = await editor()
    await type(w, 'collaborator-share-0', '25')
    expect(asked.at(-1)).toEqual([999, OWNER, [{ ...bob, share_bps: 2500 }, cy]])
    expect(w.get('[data-testid=owner-keeps]').text()).toBe('You keep 55%: €4.95 of a €9.99 sale.')
    await type(w, 'collaborator-share-0', '30')
    await w.setProps({ priceCents: 1250 })
    await flushPromises()
    expect(cents(w)).toEqual(['€3.37', '€2.25'])
    expect(w.get('[data-testid=owner-keeps]').text()).toBe('You keep 50%: €5.63 of a €12.50 sale.')
  })
  it('adds and removes rows and saves the list in basis points', async () => {
    const w = await editor()
    const row = (i: number) => w.findAll('[data-testid=collaborator]')[i]
    await row(1).get('button').trigger('click')
    await flushPromises()
    expect(w.findAll('[data-testid=collaborator]')).toHaveLength(1)
    expect(w.get('[data-testid=owner-keeps]').text()).toBe('You keep 70%: €6.30 of a €9.99 sale.')
    const add = w.findAll('button').find((b) => b.text() === 'Add a collaborator')!
    await add.trigger('click')
    const more = { email: 'dee@example.com', share_bps: 1250 }
    answers[key(999, OWNER, [bob, more])] = noProblem(999, [5750, 518], [[bob, 270], [more, 112]])
    await type(w, 'collaborator-email-1', 'dee@example.com')
    answers[key(999, OWNER, [bob, { ...more, share_bps: 1200 }])] = noProblem(999, [5800, 522], [[bob, 270], [{ ...more, share_bps: 1200 }, 108]])
    await type(w, 'collaborator-share-1', '12')
    await type(w, 'collaborator-share-1', '12,5')
    expect(cents(w)).toEqual(['€2.70', '€1.12'])
    expect(w.emitted('draft')!.at(-1)![0]).toEqual({ valid: true, dirty: true, list: [bob, more] })
    await w.get('form').trigger('submit')
    expect(w.emitted('save')).toEqual([[[bob, more]]])
  })
  it('says next to the row what the platform refuses, in the user’s words, and does not save', async () => {
    const twice = { email: 'BOB@example.com', share_bps: 2000 }
    answers[key(999, OWNER, [bob, twice])] = refused(999, 'collaborators[1].email', 'twice')
    const w = await editor()
    await type(w, 'collaborator-email-1', 'BOB@example.com')
    const input = w.get('input[name=collaborator-email-1]')
    const msg = w.get('[data-testid=collaborator-email-error]')
    expect(msg.text()).toBe('This address is listed twice.')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe(msg.attributes('id'))
    expect(w.get('input[name=collaborator-email-0]').attributes('aria-invalid')).toBe('false')
    expect(w.find('[data-testid=owner-keeps]').exists()).toBe(false)
    expect(w.get('button[type=submit]').attributes('disabled')).toBeDefined()
    await w.get('form').trigger('submit')
    expect(w.emitted('save')).toBeUndefined()
    expect(w.emitted('draft')!.at(-1)![0]).toMatchObject({ valid: false, dirty: true })
  })
  it('puts a share that is not a number, and one the platform refuses, next to the share', async () => {
    answers[key(999, OWNER, [{ ...bob, share_bps: 0 }, cy])] = refused(999, 'collaborators[0].share_bps', 'share')
    const w = await editor({}, 'fr')
    await type(w, 'collaborator-share-0', 'trente')
    expect(asked.at(-1)).toEqual([999, OWNER, [{ ...bob, share_bps: 0 }, cy]])
    expect(w.get('[data-testid=collaborator-share-error]').text()).toBe('Saisissez une part comme 30 ou 12,5, de 0,01 à 100.')
    expect(w.get('input[name=collaborator-share-0]').attributes('aria-invalid')).toBe('true')
    expect(w.find('[data-testid=collaborator-email-error]').exists()).toBe(false)
  })
  it.each([
    ['nothing_left', 'The shares leave you nothing: keep at least 0.01 %.'],
    ['over', 'The shares add up to more than 100 %.'],
    ['owner_sum', 'You are listed yourself, so the shares must add up to 100 %.'],
    ['too_many', 'A release is shared by at most 8 people, you included.'],
  ])('says below the rows what is wrong with the list as a whole (%s)', async (reason, text) => {
    const big = { ...cy, share_bps: 7000 }
    answers[key(999, OWNER, [bob, big])] = refused(999, 'collaborators', reason)
    const w = await editor()
    await type(w, 'collaborator-share-1', '70')
    expect(w.get('[data-testid=collaborators-error]').text()).toBe(text)
    expect(w.find('[data-testid=collaborator-share-error]').exists()).toBe(false)
    expect(w.get('button[type=submit]').attributes('disabled')).toBeDefined()
  })
  it('shows the platform’s refusal at the last sync next to the row, until the list changes', async () => {
    const w = await editor({ problem: { field: 'collaborators[1].email', reason: 'refused', message: 'cy@example.com is not a creator' } })
    expect(w.get('[data-testid=collaborator-email-error]').text()).toBe('cy@example.com has no creator account on Megabox.')
    expect(w.emitted('draft')!.at(-1)![0]).toMatchObject({ valid: false, dirty: false })
    const cyToo = { email: 'cyrus@example.com', share_bps: 2000 }
    answers[key(999, OWNER, [bob, cyToo])] = noProblem(999, [5000, 450], [[bob, 270], [cyToo, 180]])
    await type(w, 'collaborator-email-1', 'cyrus@example.com')
    expect(w.find('[data-testid=collaborator-email-error]').exists()).toBe(false)
    expect(w.get('button[type=submit]').attributes('disabled')).toBeUndefined()
  })
  it('marks the owner’s own row and shows no cents while the price is not a price', async () => {
    const me = { email: OWNER, share_bps: 5000 }
    answers[key(0, OWNER, [me, bob, cy])] = noProblem(0, [5000, 0], [[me, 0, true], [bob, 0], [cy, 0]])
    const w = await editor({ collaborators: [me, bob, cy], priceCents: NaN })
    expect(w.findAll('[data-testid=collaborator]')[0].text()).toContain('you')
    expect(w.findAll('[data-testid=collaborator]')[1].text()).not.toContain('you')
    expect(cents(w)).toEqual(['', '', ''])
    expect(w.get('[data-testid=owner-keeps]').text()).toBe('You keep 50%.')
  })
  it('starts empty with nothing to save', async () => {
    const w = await editor({ collaborators: [] })
    expect(w.findAll('[data-testid=collaborator]')).toHaveLength(0)
    expect(w.find('[data-testid=owner-keeps]').exists()).toBe(false)
    expect(w.get('button[type=submit]').attributes('disabled')).toBeDefined()
    expect(w.emitted('draft')!.at(-1)![0]).toEqual({ valid: true, dirty: false, list: [] })
  })
})
