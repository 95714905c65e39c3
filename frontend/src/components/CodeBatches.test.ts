import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

const made: any[][] = []
const saved: any[] = []
const revoked: number[][] = []
let batches: any[] = []
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: () => () => {} }))
vi.mock('../../wailsjs/go/app/CodesAPI', () => ({
  Releases: () => Promise.resolve([
    { id: 7, title: 'Copper Hours', currency: 'EUR', price_cents: 600, pay_what_you_want: true, min_cents: 300 },
    { id: 8, title: 'Tidal Lines', currency: 'EUR', price_cents: 800, pay_what_you_want: false, min_cents: 0 },
  ]),
  Batches: (id: number) => Promise.resolve(batches.filter((b) => b.release_id === id)),
  CreateBatch: (id: number, req: any) => {
    made.push([id, req])
    if (req.off_cents >= 800) return Promise.reject('{"code":"invalid","field":"off_cents","message":"a discount must be between €0.01 and less than the price, €8.00"}')
    const batch = { id: 30 + made.length, release_id: id, kind: req.kind, percent_off: req.percent_off, off_cents: req.off_cents, label: req.label, count: req.count,
      redeemed: 0, expires_at: req.expires_at, created_at: '2026-03-01T10:00:00Z' }
    batches.unshift(batch)
    return Promise.resolve({ batch, codes: ['K7QM-P2XW-9D', 'A2B3-C4D5-E6', 'FGHJ-KLMN-PQ'].slice(0, req.count) })
  },
  SaveBatchCSV: (b: any, title: string) => {
    saved.push({ ...b, title })
    return Promise.resolve('/home/nova/megabox-codes-31.csv')
  },
  RevokeBatch: (rel: number, id: number) => {
    revoked.push([rel, id])
    const b = batches.find((x) => x.id === id)
    b.revoked_at = '2026-03-02T09:00:00Z'
    return Promise.resolve({ ...b })
  },
}))
import CodeBatches from './CodeBatches.vue'
import { makeI18n } from '../i18n'
import { endOfDay } from '../stores/codes'

async function mountIn(lang: string) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const w = mount(CodeBatches, { global: { plugins: [makeI18n(lang), pinia] } })
  await flushPromises()
  return w
}
const cells = (w: Awaited<ReturnType<typeof mountIn>>) => w.findAll('[data-testid=batches] tbody tr').map((r) => r.findAll('td').map((c) => c.text().replace(/\s/g, ' ')))

describe('CodeBatches', () => {
  beforeEach(() => {
    made.length = 0
    saved.length = 0
    revoked.length = 0
    batches = [
      { id: 2, release_id: 7, kind: 'percent', percent_off: 33, label: 'Mailing list', count: 3, redeemed: 1, expires_at: '2026-01-31T12:00:00Z', created_at: '2026-01-05T12:00:00Z' },
      { id: 1, release_id: 7, kind: 'fixed', off_cents: 250, label: '', count: 100, redeemed: 0, created_at: '2025-12-24T12:00:00Z' },
    ]
  })

  it('lists a release’s batches with money and dates in the user’s language', async () => {
    let w = await mountIn('en')
    expect(cells(w)).toEqual([
      ['Jan 5, 2026', '33% off', '1 of 3', 'Jan 31, 2026 (expired)', 'Mailing list', 'Revoke'],
      ['Dec 24, 2025', '€2.50 off', '0 of 100', 'Never', '', 'Revoke'],
    ])
    w = await mountIn('fr')
    expect(cells(w)).toEqual([
      ['5 janv. 2026', '33 % de réduction', '1 sur 3', '31 janv. 2026 (expiré)', 'Mailing list', 'Révoquer'],
      ['24 déc. 2025', '2,50 € de réduction', '0 sur 100', 'Jamais', '', 'Révoquer'],
    ])
    // Another release has its own batches.
    await w.get('select[name=code-release]').setValue('8')
    await flushPromises()
    expect(w.find('[data-testid=batches]').exists()).toBe(false)
    expect(w.text()).toContain('Pas encore de codes pour cette sortie.')
  })

  it('makes a batch, says to save its codes now, and saves them where the creator chooses', async () => {
    const w = await mountIn('en')
    await w.get('input[name=code-count]').setValue('3')
    await w.get('input[name=code-expires]').setValue('2036-12-31')
    await w.get('input[name=code-label]').setValue('  Radio giveaway ')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(made).toEqual([[7, { count: 3, kind: 'free', label: 'Radio giveaway', percent_off: 0, off_cents: 0, expires_at: endOfDay('2036-12-31') }]])
    expect(new Date(endOfDay('2036-12-31')).getDate()).toBe(31) // the end of that day where the creator is
    const box = w.get('[data-testid=codes-made]')
    expect(box.text()).toContain('Codes made: 3. Save them now: they are not shown again.')
    expect((w.get('[data-testid=new-codes]').element as HTMLTextAreaElement).value).toBe('K7QM-P2XW-9D\nA2B3-C4D5-E6\nFGHJ-KLMN-PQ')
    expect(cells(w)[0].slice(1, 5)).toEqual(['Free', '0 of 3', 'Dec 31, 2036', 'Radio giveaway'])

    await w.get('[data-testid=save-codes]').trigger('click')
    await flushPromises()
    expect(saved.length).toBe(1)
    expect(saved[0].codes).toEqual(['K7QM-P2XW-9D', 'A2B3-C4D5-E6', 'FGHJ-KLMN-PQ'])
    expect(saved[0].title).toBe('Save the codes') // the native dialog's title, in the user's words
    expect(w.get('[data-testid=codes-saved]').text()).toBe('Saved to /home/nova/megabox-codes-31.csv.')
    await w.get('[data-testid=codes-made] button:not(.primary)').trigger('click')
    expect(w.find('[data-testid=codes-made]').exists()).toBe(false)
  })

  it('checks the form before asking, and says the platform’s refusal by its field', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const w = await mountIn('fr')
    await w.get('input[name=code-count]').setValue('0')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(made.length).toBe(0)
    expect(w.get('[role=alert]').text()).toBe('Saisissez un nombre entier de 1 à 50 000.')
    expect(w.get('input[name=code-count]').attributes('aria-invalid')).toBe('true')

    await w.get('input[name=code-count]').setValue('2')
    await w.get('select[name=code-release]').setValue('8')
    await w.get('select[name=code-kind]').setValue('fixed')
    await w.get('input[name=code-amount]').setValue('8,00')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(made).toEqual([[8, { count: 2, kind: 'fixed', label: '', percent_off: 0, off_cents: 800, expires_at: undefined }]])
    expect(w.get('[data-testid=error]').text()).toBe('La réduction doit être inférieure au prix de la sortie.')
    expect(w.get('input[name=code-amount]').attributes('aria-invalid')).toBe('true')
    expect(w.text()).not.toContain('€8.00')

    await w.get('select[name=code-kind]').setValue('percent')
    await w.get('input[name=code-percent]').setValue('33')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(made[1]).toEqual([8, { count: 2, kind: 'percent', label: '', percent_off: 33, off_cents: 0, expires_at: undefined }])
    expect(w.find('[data-testid=error]').exists()).toBe(false)
    expect(cells(w)[0][1]).toBe('33 % de réduction')
  })

  it('revokes a batch only once confirmed', async () => {
    const w = await mountIn('en')
    await w.get('[data-batch-id="2"] [data-testid=revoke]').trigger('click')
    expect(w.get('[data-batch-id="2"] [role=alertdialog]').text()).toContain('Revoke the 2 codes of this batch not redeemed yet?')
    await w.get('[data-batch-id="2"] [role=alertdialog] button:not(.danger)').trigger('click')
    expect(revoked).toEqual([])
    expect(w.find('[role=alertdialog]').exists()).toBe(false)

    await w.get('[data-batch-id="2"] [data-testid=revoke]').trigger('click')
    await w.get('[data-testid=revoke-yes]').trigger('click')
    await flushPromises()
    expect(revoked).toEqual([[7, 2]])
    expect(cells(w)[0][5]).toBe('Revoked Mar 2, 2026')
    expect(w.get('[data-batch-id="1"] [data-testid=revoke]').text()).toBe('Revoke')
  })
})
