// Voir previewwait.en.ts.
export default {
  previewwait: {
    preparing: 'Préparation de l’extrait… {pct} %',
    trackProblem: {
      damaged: 'Piste {position} ({title}) : l’audio du FLAC ne correspond pas à la somme MD5 de son en-tête, le fichier est donc endommagé. Encodez-le de nouveau depuis l’original, puis synchronisez.',
      undecodable: 'Piste {position} ({title}) : l’audio ne peut pas être décodé jusqu’au bout, le fichier est donc endommagé. Remplacez-le par une copie saine.',
      other: 'Piste {position} ({title}) : la plateforme ne peut pas utiliser cet audio : {problem}',
    },
  },
}
