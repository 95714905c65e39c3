export default {
  nav: { account: 'Compte', sync: 'Synchro', store: 'Boutique', library: 'Bibliothèque', earnings: 'Revenus', fans: 'Fans', main: 'Principal' },
  account: {
    signIn: 'Se connecter', signUp: 'Créer un compte', signOut: 'Se déconnecter', email: 'E-mail', password: 'Mot de passe', name: 'Nom',
    creator: 'Je publie de la musique (compte créateur)', platform: 'Plateforme', local: 'Plateforme locale sur cet ordinateur',
    demo: 'Comptes de démo — mot de passe {password}', signedInAs: 'Connecté en tant que {name}', roleCreator: 'créateur', roleFan: 'fan',
    remoteHint: 'Pour une autre plateforme, lancez Megabox avec MEGABOX_PLATFORM=https://…', useDemo: 'Utiliser',
  },
  sync: {
    title: 'Dossiers synchronisés', add: 'Ajouter un dossier…', addPath: 'Ajouter', pathPlaceholder: 'ou tapez le chemin d’un dossier', remove: 'Ne plus surveiller',
    empty: 'Déposez des dossiers de sorties dans un dossier surveillé : chaque sous-dossier devient un brouillon.', pause: 'Pause', resume: 'Reprendre',
    bandwidth: 'Limite d’envoi (Ko/s, 0 = aucune)', tracks: 'Fichiers', publish: 'Publier', unpublish: 'Dépublier', confirm: 'Appliquer les changements',
    confirmPublish: 'Publier « {title} » ? Les fans pourront l’acheter.', confirmUnpublish: 'Retirer « {title} » de la boutique ? Les acheteurs le gardent.',
    retry: 'Réessayer', rate: '{rate}/s, encore {eta}', price: 'Prix', currency: 'Devise', pwyw: 'Prix libre', minimum: 'Minimum',
    save: 'Enregistrer le prix', published: 'publié', draft: 'brouillon', preview: 'Le fan paie {gross} → vous recevez {creator}, Megabox {platform}', missing: 'dossier absent',
    badPrice: 'Saisissez un prix comme 9,99, de 0 à {max}.', badMinimum: 'Saisissez un minimum comme 2,00, de 0 à {max}.',
    minimumRange: 'Le minimum doit être compris entre 0 et le prix.', fixPrice: 'Corrigez le prix avant de publier.',
  },
  store: {
    search: 'Chercher des sorties et des artistes', buy: 'Acheter', follow: 'Suivre', unfollow: 'Ne plus suivre', tracks: 'Titres', by: 'par {artist}',
    splitNote: 'Sur ce que vous payez, {creator} va à l’artiste et {platform} à Megabox.', amount: 'Montant', card: 'Numéro de carte (bac à sable)',
    shareEmail: 'Partager mon e-mail avec l’artiste', pay: 'Payer {amount}', bought: 'Acheté ! C’est dans votre bibliothèque.', back: 'Retour',
    pwywMin: 'Prix libre — au moins {min}', none: 'Aucune sortie trouvée.', more: 'Plus',
    yours: 'Votre sortie — les fans l’achètent ici.', inLibrary: 'Dans votre bibliothèque.', toLibrary: 'Ouvrir votre bibliothèque', badAmount: 'Saisissez un montant comme 9,99.',
  },
  library: {
    title: 'Votre bibliothèque', offline: 'Disponible hors ligne', incomplete: 'Téléchargement…', empty: 'Rien pour l’instant : achetez de la musique dans la Boutique.',
    offlineSince: 'Hors ligne depuis {time} — votre musique joue toujours.', sync: 'Synchroniser', check: 'Vérifier les fichiers', play: 'Lire', enqueue: 'Ajouter à la file',
    folder: 'Dossier : {dir}', problems: '{n} problème(s)', allGood: 'Chaque fichier et chaque reçu vérifiés.',
  },
  player: {
    play: 'Lire', pause: 'Pause', next: 'Suivant', previous: 'Précédent', volume: 'Volume', seek: 'Position', queue: 'File',
    shuffle: 'Aléatoire', repeat: 'Répéter : {mode}', nothing: 'Rien en lecture', clear: 'Vider la file', remove: 'Retirer',
  },
  earnings: {
    title: 'Revenus', gross: 'Payé par les fans', yours: 'Vos {share}', platform: 'Megabox {share}', refunded: 'Remboursé', paidOut: 'Versé',
    pending: 'Versement en attente', available: 'Disponible', byMonth: 'Par mois', byRelease: 'Par sortie', byTrack: 'Par titre',
    export: 'Exporter en CSV', payout: 'Demander un versement', asOf: 'Au {time} (instantané hors ligne)', sales: 'Ventes', release: 'Sortie',
    track: 'Titre', period: 'Mois', payoutDone: 'Versement demandé.', payouts: 'Versements', saved: 'Enregistré dans {path}', creatorOnly: 'Les revenus concernent les comptes créateurs.',
  },
  fans: { title: 'Fans', name: 'Fan', total: 'Total dépensé', purchases: 'Achats', since: 'Depuis', follower: 'Abonné', export: 'Exporter en CSV', yes: 'oui', no: '—', empty: 'Pas encore de fans.' },
  errors: { unavailable: 'La plateforme est injoignable.', offline: 'Impossible de joindre Megabox. Votre bibliothèque reste disponible hors ligne.', generic: 'Un problème est survenu : {msg}' },
}
