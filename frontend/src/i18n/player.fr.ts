// Le format lu et le réglage ReplayGain du lecteur. Fusionné au catalogue
// par ./index.
export default {
  player: {
    format: 'Lecture {format}',
    replayGain: 'ReplayGain',
    replayGainMode: { track: 'Piste', album: 'Album', off: 'Désactivé' },
    replayGainHint: 'Égalise le volume entre les pistes (Piste) ou garde la dynamique propre à l’album (Album), sans jamais dépasser ce que permet la crête du fichier.',
  },
}
