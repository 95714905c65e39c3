// The player's format line and ReplayGain setting. Merged into the catalog
// by ./index.
export default {
  player: {
    format: 'Playing {format}',
    replayGain: 'ReplayGain',
    replayGainMode: { track: 'Track', album: 'Album', off: 'Off' },
    replayGainHint: 'Evens out loudness between tracks (Track) or keeps an album’s own dynamics (Album), never louder than the file’s peak allows.',
  },
}
