// Vos données : les télécharger, supprimer le compte.
export default {
  privacy: {
    title: 'Vos données',
    exportLead: 'Un zip de tout ce que Megabox conserve sur vous, en JSON : votre compte, vos connexions, abonnements, choix d’e-mails, achats avec leurs reçus, cadeaux, codes et les fichiers que vous possédez (décrits, non inclus).',
    export: 'Télécharger mes données…', dialogTitle: 'Enregistrer vos données', exporting: 'Préparation de vos données…', saved: 'Enregistré dans {path}.',
    deleteTitle: 'Supprimer mon compte',
    deleteLead: 'Vous ne pourrez plus vous connecter, et votre nom, votre adresse, votre profil, vos abonnements et vos choix d’e-mails sont effacés. Vos achats restent dans les comptes sous « Compte supprimé » : les artistes gardent ce qu’ils ont gagné et vos reçus restent valides. Votre identifiant reste réservé. C’est irréversible.',
    password: 'Votre mot de passe', confirm: 'Tapez DELETE pour confirmer',
    delete: 'Supprimer définitivement mon compte', deleting: 'Suppression…',
  },
  errors: {
    at: {
      privacy: {
        invalid: { password: 'Mot de passe incorrect.', confirm: 'Tapez DELETE en majuscules pour confirmer.' },
        conflict: 'Votre compte ne peut pas encore être supprimé : dépubliez d’abord vos sorties en vente, demandez le versement de ce qui vous est dû (et attendez qu’il soit payé), et demandez aux autres créateurs de vous retirer de leurs collaborateurs.',
        rate_limited: 'Vous venez de télécharger vos données : réessayez dans une minute.',
      },
    },
  },
}
