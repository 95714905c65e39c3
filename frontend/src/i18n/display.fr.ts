// Les mots de ce que la fenêtre montrait sans traduction.
export default {
  payoutState: { pending: 'demandé', paid: 'payé', failed: 'échoué' },
  display: { earningsChart: 'Revenus par mois', chooseFolder: 'Choisissez un dossier de sorties', saveCodes: 'Enregistrer les codes' },
}
