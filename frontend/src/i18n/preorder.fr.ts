// Précommandes : ce que la bibliothèque d’un acheteur et la boutique
// disent d’une sortie vendue avant sa date de parution, et les réglages de
// l’artiste dans l’éditeur. Fusionné au catalogue par ./index.
export default {
  preorder: {
    library: 'Précommande : {now} titres sur {count} dès maintenant, les autres le {date}',
    waiting: 'Le {date}',
    store: 'Précommande — parution le {date} ; {now} titres sur {count} dès maintenant',
    sell: 'Vendre en précommande jusqu’à la date de parution',
    sellHint: 'Les acheteurs reçoivent aussitôt les titres marqués « disponible maintenant », et les autres à la date de parution (AAAA-MM-JJ, minuit UTC).',
    availableNow: 'Disponible maintenant',
    availableNowOf: '« {title} » disponible maintenant pour les précommandes',
  },
}
