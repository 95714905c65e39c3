// Download formats, bonus files and the library's format: the release
// page before purchase and the Library view. Merged into the catalog by
// ./index.
export default {
  formats: {
    available: 'Download as',
    quality: '{bits}-bit/{rate} kHz',
    upTo: 'up to {quality}',
    bonus: 'Bonus files',
    bonusList: 'Bonus files: {files}',
    library: 'Library format',
    libraryHint: 'Your releases are downloaded again in this format; the old files go once the new ones are in. Files you changed are kept.',
    mirrored: 'In {format}',
    preparing: 'Preparing {format}… {pct} %',
  },
  // A file a format switch would have removed, kept as the fan changed it.
  library: { problem: { kept: 'changed by you since it was downloaded: kept' } },
}
