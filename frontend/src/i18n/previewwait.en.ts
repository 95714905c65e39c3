// A preview the platform is still making (the MP3 of a lossless master),
// and a track whose master the platform found damaged, in the creator's
// Sync view. Merged into the catalog by ./index.
export default {
  previewwait: {
    preparing: 'Preparing the preview… {pct} %',
    trackProblem: {
      damaged: 'Track {position} ({title}): the FLAC’s audio does not match the MD5 checksum in its header, so the file is damaged. Encode it again from the original and sync again.',
      undecodable: 'Track {position} ({title}): the audio cannot be decoded to its end, so the file is damaged. Replace it with a good copy.',
      other: 'Track {position} ({title}): the platform cannot use this audio: {problem}',
    },
  },
}
