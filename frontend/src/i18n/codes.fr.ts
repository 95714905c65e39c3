// Codes de téléchargement et de réduction : un fan qui en utilise un, les
// lots d'un créateur. Fusionné au catalogue par ./index.
export default {
  codes: {
    redeem: {
      title: 'Utiliser un code', label: 'Code', placeholder: 'K7QM-P2XW-9D', submit: 'Valider', working: 'Validation…',
      free: '« {title} » de {artist} est à vous : il arrive dans votre bibliothèque.', empty: 'Saisissez le code que vous avez reçu.',
    },
    applied: 'Code {code} : {price} au lieu de {was}.', appliedPwyw: 'Code {code} : prix libre à partir de {min} au lieu de {was}.',
    drop: 'Payer sans le code',
    batches: {
      title: 'Codes de téléchargement et de réduction', lead: 'Créez des codes à usage unique pour une sortie et distribuez-les comme vous voulez : en concert, par e-mail, à la radio.',
      release: 'Sortie', noReleases: 'Publiez une sortie pour créer des codes.',
      count: 'Nombre de codes', kind: 'Ce qu’ils donnent', free: 'Un téléchargement gratuit', percent: 'Un pourcentage de réduction', fixed: 'Un montant de réduction',
      percentOff: 'Réduction en pour cent', amountOff: 'Réduction ({currency})', expires: 'Expirent après le (facultatif)', label: 'Libellé (facultatif)', labelHint: 'Concours radio',
      create: 'Créer les codes', creating: 'Création des codes…',
      made: 'Codes créés : {n}.', saveNow: 'Enregistrez-les maintenant : ils ne seront plus affichés.', save: 'Enregistrer en CSV…', saved: 'Enregistrés dans {path}.', dismiss: 'Terminé',
      list: 'Lots', none: 'Pas encore de codes pour cette sortie.',
      colMade: 'Créé le', colGives: 'Donne', colRedeemed: 'Utilisés', colExpires: 'Expire le', colLabel: 'Libellé',
      never: 'Jamais', redeemed: '{n} sur {count}', expired: '{date} (expiré)', revokedOn: 'Révoqué le {date}',
      giveFree: 'Gratuit', giveOff: '{off} de réduction',
      revoke: 'Révoquer', revokeAsk: 'Révoquer les {n} codes de ce lot pas encore utilisés ? Les fans qui les ont ne pourront plus s’en servir.',
      revokeYes: 'Les révoquer', cancel: 'Annuler',
      badCount: 'Saisissez un nombre entier de 1 à 50 000.', badPercent: 'Saisissez un pourcentage entier de 1 à 100.', badAmount: 'Saisissez un montant, comme 2,50.',
    },
  },
}

export const codeErrors = {
  code: {
    code_used: 'Ce code a déjà été utilisé.', code_expired: 'Ce code a expiré.',
    code_revoked: 'Ce code a été retiré par l’artiste.', code_release: 'Ce code est pour une autre sortie.',
  },
  field: {
    invalid: { code: 'Un code a 10 lettres et chiffres, comme K7QM-P2XW-9D.' },
    not_found: { code: 'Ce code n’existe pas : vérifiez-le et réessayez.' },
  },
  at: {
    redeem: {
      conflict: 'Vous avez déjà cette sortie : elle est dans votre bibliothèque.',
      rate_limited: 'Trop d’essais de codes : attendez un quart d’heure, puis réessayez.',
    },
    codes: {
      invalid: {
        count: 'Saisissez un nombre entier de 1 à 50 000.', percent_off: 'Saisissez un pourcentage entier de 1 à 100.',
        off_cents: 'La réduction doit être inférieure au prix de la sortie.', expires_at: 'Choisissez une date d’expiration à venir.',
        label: 'Gardez le libellé sous 100 caractères, sur une ligne.',
      },
      not_found: 'Cette sortie n’est plus l’une des vôtres.',
    },
  },
}
