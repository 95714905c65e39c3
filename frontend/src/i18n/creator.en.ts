// The creator's release editor, folder drops and sync states.
export default {
  editor: {
    title: 'Title', artist: 'Artist', artistHint: 'your account name', description: 'Description', date: 'Release date',
    datePlaceholder: 'YYYY-MM-DD', tracks: 'Tracks', saving: 'Saving…', saved: 'Saved', unsaved: 'Fix the highlighted fields to save.',
    noCover: 'No cover: add cover.jpg to the folder.', coverOf: 'Cover of “{title}”', publish: 'Publish', unpublish: 'Unpublish',
    confirmTitle: 'Publish release', confirmPrice: 'Publish “{title}” at {price}?', confirmPwyw: 'Publish “{title}”, pay what you want from {price}?',
    confirmNote: 'Fans will be able to buy it.', fix: 'Fix the highlighted fields before publishing.', published: '“{title}” is published.',
    badTitle: 'Enter a title of at most 200 characters.', badArtist: 'Enter an artist name of at most 200 characters.',
    badDate: 'Use a date like 2026-03-01, 2026-03 or 2026.', badDescription: 'Keep the description under 5,000 characters.',
    moveUp: 'Move “{title}” up', moveDown: 'Move “{title}” down', moved: '“{title}” moved to position {n} of {count}.',
    dragHint: 'Drag to reorder, or focus a track and press Alt+↑ / Alt+↓.', trackTitle: 'Title of track {n}', duration: 'Duration',
    noTracks: 'No tracks read yet.', elsewhere: 'Your other releases', elsewhereHint: 'Published from another computer or the command line: changes go straight to Megabox.',
    edit: 'Edit', close: 'Close', waits: 'This release is published: your changes wait for “Apply changes”.',
    sidecarProblem: 'megabox.json in this folder cannot be read; fix or remove it to save here.',
  },
  drop: {
    hint: 'Drop a folder to watch it', zone: 'or drop a folder of releases here', watching: 'Now watching {path}.',
    not_folder: '{name} is a file: drop the folder that holds your releases.', missing: '{name} cannot be found on this computer.',
    unreadable: 'Megabox may not read {name}: check its permissions.', watched: '{name} is already watched.',
  },
  state: {
    queued: 'Waiting its turn', hashing: 'Reading', uploading: 'Uploading', synced: 'Up to date', waiting: 'Still being copied',
    error: 'Needs attention', folder_missing: 'Folder missing', needs_confirmation: 'Waiting for your go-ahead',
    blocked: 'Some files need attention', root_missing: 'Folder missing', watching: 'Watching', ok: 'Watching', missing: 'Folder missing',
  },
  transfer: {
    rate: '{rate}/s', eta: 'about {eta} left', of: '{done} of {total}', seconds: '{n} s', minutes: '{n} min', hours: '{n} h',
  },
}
