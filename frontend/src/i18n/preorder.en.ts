// Pre-orders: what a buyer's library and the store say of a release sold
// before its release day, and the creator's switches in the editor.
// Merged into the catalog by ./index.
export default {
  preorder: {
    library: 'Pre-order: {now} of {count} tracks now, the rest on {date}',
    waiting: 'On {date}',
    store: 'Pre-order — released on {date}; {now} of {count} tracks now',
    sell: 'Sell as a pre-order until the release date',
    sellHint: 'Buyers get the tracks marked “available now” at once, and the rest on the release date (YYYY-MM-DD, midnight UTC).',
    availableNow: 'Available now',
    availableNowOf: '“{title}” available now to pre-order buyers',
  },
}
