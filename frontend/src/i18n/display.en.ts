// Words for things the window shows that had none: payout states, the
// earnings chart. Merged into the catalog by ./index.
export default {
  payoutState: { pending: 'requested', paid: 'paid', failed: 'failed' },
  display: { earningsChart: 'Earnings per month', chooseFolder: 'Choose a folder of releases', saveCodes: 'Save the codes' },
}
