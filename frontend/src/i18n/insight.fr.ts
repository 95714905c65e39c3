// Fan insight: how a creator's releases were heard and bought, per day.
// Merged into the catalog by ./index.
export default {
  insight: {
    title: 'Audience',
    lead: 'Compté sans suivre personne : aucun auditeur n’est gardé avec un compte, et aucun script tiers ne tourne sur vos pages.',
    release: 'Sortie', all: 'Toutes les sorties', period: 'Période', days: '{n} derniers jours',
    plays: 'Écoutes dans l’app', previews: 'Extraits sur le web', sales: 'Ventes', gross: 'Payé par les fans', conversion: 'De l’extrait à la vente',
    conversionNote: 'Ventes pour 100 extraits lancés sur la période.', noConversion: '—',
    countries: 'Pays principaux', countriesNone: 'Aucune vente dont le pays est connu sur cette période.', colCountry: 'Pays', colSales: 'Ventes',
    chart: 'Écoutes, extraits et ventes par jour',
    export: 'Exporter en CSV', saved: 'Enregistré dans {path}.',
    playsNote: 'Une écoute, c’est un morceau acheté entendu dans l’app pendant 30 secondes, ou la moitié d’un morceau court.',
  },
}
