export default {
  nav: { account: 'Compte', sync: 'Synchro', store: 'Boutique', library: 'Bibliothèque', earnings: 'Revenus', fans: 'Fans', main: 'Principal' },
  account: {
    signIn: 'Se connecter', signUp: 'Créer un compte', signOut: 'Se déconnecter', email: 'E-mail', password: 'Mot de passe', name: 'Nom',
    creator: 'Je publie de la musique (compte créateur)', platform: 'Plateforme', local: 'Plateforme locale sur cet ordinateur',
    demo: 'Comptes de démo — mot de passe {password}', signedInAs: 'Connecté en tant que {name}', roleCreator: 'créateur', roleFan: 'fan',
    remoteHint: 'Pour une autre plateforme, lancez Megabox avec MEGABOX_PLATFORM=https://…', useDemo: 'Utiliser',
  },
  library: { title: 'Votre bibliothèque', offline: 'Disponible hors ligne', empty: 'Rien pour l’instant : achetez de la musique dans la Boutique.' },
}
