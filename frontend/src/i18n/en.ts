export default {
  nav: { account: 'Account', sync: 'Sync', store: 'Store', library: 'Library', earnings: 'Earnings', fans: 'Fans', main: 'Main' },
  account: {
    signIn: 'Sign in', signUp: 'Create account', signOut: 'Sign out', email: 'Email', password: 'Password', name: 'Name',
    creator: 'I publish music (creator account)', platform: 'Platform', local: 'Local platform on this computer',
    demo: 'Demo accounts — password {password}', signedInAs: 'Signed in as {name}', roleCreator: 'creator', roleFan: 'fan',
    remoteHint: 'To use another platform, start Megabox with MEGABOX_PLATFORM=https://…', useDemo: 'Use',
  },
  sync: {
    title: 'Synced folders', add: 'Add folder…', addPath: 'Add', pathPlaceholder: 'or type a folder path', remove: 'Stop watching',
    empty: 'Drop release folders into a watched folder: each subfolder becomes a draft release.', pause: 'Pause', resume: 'Resume',
    bandwidth: 'Upload limit (KB/s, 0 = none)', tracks: 'Files', publish: 'Publish', unpublish: 'Unpublish', confirm: 'Apply changes',
    confirmPublish: 'Publish “{title}”? Fans will be able to buy it.', confirmUnpublish: 'Take “{title}” out of the store? Buyers keep it.',
    retry: 'Retry', rate: '{rate}/s, {eta} left', price: 'Price', currency: 'Currency', pwyw: 'Pay what you want', minimum: 'Minimum',
    save: 'Save price', published: 'published', draft: 'draft', preview: 'Fan pays {gross} → you get {creator}, Megabox {platform}', missing: 'folder missing',
    badPrice: 'Enter a price like 9.99, from 0 to {max}.', badMinimum: 'Enter a minimum like 2.00, from 0 to {max}.',
    minimumRange: 'The minimum must be from 0 to the price.', fixPrice: 'Fix the price before publishing.',
  },
  store: {
    search: 'Search releases and artists', buy: 'Buy', follow: 'Follow', unfollow: 'Unfollow', tracks: 'Tracks', by: 'by {artist}',
    splitNote: 'Of what you pay, {creator} goes to the artist and {platform} to Megabox.', amount: 'Amount', card: 'Card number (sandbox)',
    shareEmail: 'Share my email with the artist', pay: 'Pay {amount}', bought: 'Bought! It is in your library.', back: 'Back',
    pwywMin: 'Name your price — at least {min}', none: 'No releases found.', more: 'More',
    yours: 'Your release — fans buy it here.', inLibrary: 'In your library.', toLibrary: 'Open your library', badAmount: 'Enter an amount like 9.99.',
  },
  library: {
    title: 'Your library', offline: 'Available offline', incomplete: 'Downloading…', empty: 'Nothing here yet: buy music in the Store.',
    offlineSince: 'Offline since {time} — your music still plays.', sync: 'Sync now', check: 'Verify files', play: 'Play', enqueue: 'Add to queue', folder: 'Folder: {dir}',
    problems: '{n} problem(s)', allGood: 'Every file and receipt verified.',
  },
  player: {
    play: 'Play', pause: 'Pause', next: 'Next', previous: 'Previous', volume: 'Volume', seek: 'Position', queue: 'Queue',
    shuffle: 'Shuffle', repeat: 'Repeat: {mode}', nothing: 'Nothing playing', clear: 'Clear queue', remove: 'Remove',
  },
  earnings: {
    title: 'Earnings', gross: 'Fans paid', yours: 'Your {share}', platform: 'Megabox {share}', refunded: 'Refunded', paidOut: 'Paid out',
    pending: 'Pending payout', available: 'Available', byMonth: 'By month', byRelease: 'By release', byTrack: 'By track',
    export: 'Export CSV', payout: 'Request payout', asOf: 'As of {time} (offline snapshot)', sales: 'Sales', release: 'Release',
    track: 'Track', period: 'Month', payoutDone: 'Payout requested.', payouts: 'Payouts', saved: 'Saved to {path}', creatorOnly: 'Earnings are for creator accounts.',
  },
  fans: { title: 'Fans', name: 'Fan', total: 'Total spent', purchases: 'Purchases', since: 'Since', follower: 'Follower', export: 'Export CSV', yes: 'yes', no: '—', empty: 'No fans yet.' },
  errors: { unavailable: 'The platform cannot be reached.', offline: "Can't reach Megabox. Your library still plays offline.", generic: 'Something went wrong: {msg}' },
}
