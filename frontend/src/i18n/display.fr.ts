// Les mots de ce que la fenêtre montrait sans traduction.
export default {
  payoutState: { pending: 'demandé', paid: 'payé', failed: 'échoué' },
  display: { earningsChart: 'Revenus par mois' },
}
