// L'éditeur de sortie, le dépôt de dossiers et les états de synchronisation.
export default {
  editor: {
    title: 'Titre', artist: 'Artiste', artistHint: 'le nom de votre compte', description: 'Description', date: 'Date de sortie',
    datePlaceholder: 'AAAA-MM-JJ', tracks: 'Morceaux', saving: 'Enregistrement…', saved: 'Enregistré', unsaved: 'Corrigez les champs signalés pour enregistrer.',
    noCover: 'Pas de pochette : ajoutez cover.jpg au dossier.', coverOf: 'Pochette de « {title} »', publish: 'Publier', unpublish: 'Dépublier',
    confirmTitle: 'Publier la sortie', confirmPrice: 'Publier « {title} » à {price} ?', confirmPwyw: 'Publier « {title} », prix libre à partir de {price} ?',
    confirmNote: 'Les fans pourront l’acheter.', fix: 'Corrigez les champs signalés avant de publier.', published: '« {title} » est publiée.',
    badTitle: 'Saisissez un titre de 200 caractères au plus.', badArtist: 'Saisissez un nom d’artiste de 200 caractères au plus.',
    badDate: 'Saisissez une date comme 2026-03-01, 2026-03 ou 2026.', badDescription: 'La description doit faire moins de 5 000 caractères.',
    moveUp: 'Monter « {title} »', moveDown: 'Descendre « {title} »', moved: '« {title} » est maintenant en position {n} sur {count}.',
    dragHint: 'Glissez pour réordonner, ou sélectionnez un morceau et appuyez sur Alt+↑ / Alt+↓.', trackTitle: 'Titre du morceau {n}', duration: 'Durée',
    noTracks: 'Aucun morceau lu pour l’instant.', elsewhere: 'Vos autres sorties', elsewhereHint: 'Publiées depuis un autre ordinateur ou en ligne de commande : les modifications vont directement sur Megabox.',
    edit: 'Modifier', close: 'Fermer', waits: 'Cette sortie est publiée : vos modifications attendent « Appliquer les modifications ».',
    sidecarProblem: 'Le fichier megabox.json de ce dossier est illisible : corrigez-le ou supprimez-le pour enregistrer ici.',
  },
  drop: {
    hint: 'Déposez un dossier pour le surveiller', zone: 'ou déposez ici un dossier de sorties', watching: '{path} est maintenant surveillé.',
    not_folder: '{name} est un fichier : déposez le dossier qui contient vos sorties.', missing: '{name} est introuvable sur cet ordinateur.',
    unreadable: 'Megabox ne peut pas lire {name} : vérifiez ses droits d’accès.', watched: '{name} est déjà surveillé.',
  },
  state: {
    queued: 'En attente', hashing: 'Lecture', uploading: 'Envoi', synced: 'À jour', waiting: 'Copie en cours',
    error: 'À vérifier', folder_missing: 'Dossier introuvable', needs_confirmation: 'Attend votre accord',
    blocked: 'Des fichiers sont à vérifier', root_missing: 'Dossier introuvable', watching: 'Surveillé', ok: 'Surveillé', missing: 'Dossier introuvable',
  },
  transfer: {
    rate: '{rate}/s', eta: 'environ {eta} restantes', of: '{done} sur {total}', seconds: '{n} s', minutes: '{n} min', hours: '{n} h',
  },
}
