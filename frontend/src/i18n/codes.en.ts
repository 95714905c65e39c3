// Download and discount codes: a fan redeeming one, a creator's batches.
// Merged into the catalog by ./index; errors by code under errors.
export default {
  codes: {
    redeem: {
      title: 'Redeem a code', label: 'Code', placeholder: 'K7QM-P2XW-9D', submit: 'Redeem', working: 'Redeeming…',
      free: '“{title}” by {artist} is now yours: it is coming into your library.', empty: 'Type the code you were given.',
    },
    applied: 'Code {code}: {price} instead of {was}.', appliedPwyw: 'Code {code}: pay what you want from {min} instead of {was}.',
    drop: 'Pay without the code',
    batches: {
      title: 'Download and discount codes', lead: 'Make single-use codes for a release and hand them out as you like: at shows, by email, on the radio.',
      release: 'Release', noReleases: 'Publish a release to make codes for it.',
      count: 'How many codes', kind: 'What they give', free: 'A free download', percent: 'A percentage off', fixed: 'An amount off',
      percentOff: 'Percent off', amountOff: 'Amount off ({currency})', expires: 'Expire after (optional)', label: 'Label (optional)', labelHint: 'Radio giveaway',
      create: 'Make codes', creating: 'Making codes…',
      made: 'Codes made: {n}.', saveNow: 'Save them now: they are not shown again.', save: 'Save as CSV…', saved: 'Saved to {path}.', dismiss: 'Done',
      list: 'Batches', none: 'No codes for this release yet.',
      colMade: 'Made', colGives: 'Gives', colRedeemed: 'Redeemed', colExpires: 'Expires', colLabel: 'Label',
      never: 'Never', redeemed: '{n} of {count}', expired: '{date} (expired)', revokedOn: 'Revoked {date}',
      giveFree: 'Free', giveOff: '{off} off',
      revoke: 'Revoke', revokeAsk: 'Revoke the {n} codes of this batch not redeemed yet? Fans who hold them can no longer use them.',
      revokeYes: 'Revoke them', cancel: 'Cancel',
      badCount: 'Enter a whole number from 1 to 50,000.', badPercent: 'Enter a whole percentage from 1 to 100.', badAmount: 'Enter an amount, like 2.50.',
    },
  },
}

// Refusals of codes, said by the platform's error code.
export const codeErrors = {
  code: {
    code_used: 'This code has already been used.', code_expired: 'This code has expired.',
    code_revoked: 'This code was withdrawn by the artist.', code_release: 'This code is for another release.',
  },
  field: {
    invalid: { code: 'A code has 10 letters and digits, like K7QM-P2XW-9D.' },
    not_found: { code: 'This code does not exist: check it and try again.' },
  },
  at: {
    redeem: {
      conflict: 'You own this release already: it is in your library.',
      rate_limited: 'Too many tries at codes: wait a quarter of an hour, then try again.',
    },
    codes: {
      invalid: {
        count: 'Enter a whole number from 1 to 50,000.', percent_off: 'Enter a whole percentage from 1 to 100.',
        off_cents: 'The amount off must be less than the release’s price.', expires_at: 'Choose an expiry date in the future.',
        label: 'Keep the label under 100 characters, on one line.',
      },
      not_found: 'This release is not one of yours any more.',
    },
  },
}
