// Formats de téléchargement, fichiers bonus et format de la bibliothèque.
// Fusionné dans le catalogue par ./index.
export default {
  formats: {
    available: 'À télécharger en',
    quality: '{bits} bits/{rate} kHz',
    upTo: 'jusqu’à {quality}',
    bonus: 'Fichiers bonus',
    bonusList: 'Fichiers bonus : {files}',
    library: 'Format de la bibliothèque',
    libraryHint: 'Vos albums sont téléchargés à nouveau dans ce format ; les anciens fichiers partent une fois les nouveaux arrivés. Les fichiers que vous avez modifiés sont gardés.',
    mirrored: 'En {format}',
    preparing: 'Préparation en {format}… {pct} %',
  },
  // A file a format switch would have removed, kept as the fan changed it.
  library: { problem: { kept: 'modifié par vous depuis son téléchargement : gardé' } },
}
