// Your data: download it, delete the account. Merged into the catalog by
// ./index; refusals by code under errors.at.privacy.
export default {
  privacy: {
    title: 'Your data',
    exportLead: 'A zip of everything Megabox keeps about you, as JSON: your account, sign-ins, follows, email choices, purchases with their receipts, gifts, codes and the files you own (described, not included).',
    export: 'Download my data…', dialogTitle: 'Save your data', exporting: 'Preparing your data…', saved: 'Saved to {path}.',
    deleteTitle: 'Delete my account',
    deleteLead: 'You will no longer be able to sign in, and your name, address, profile, follows and email choices are removed. Your purchases stay in the books as “Deleted account”: artists keep what they earned and your receipts stay valid. Your handle stays reserved. This cannot be undone.',
    password: 'Your password', confirm: 'Type DELETE to confirm',
    delete: 'Delete my account for good', deleting: 'Deleting…',
  },
  errors: {
    at: {
      privacy: {
        invalid: { password: 'Wrong password.', confirm: 'Type DELETE in capitals to confirm.' },
        conflict: 'Your account cannot be deleted yet: first unpublish your releases on sale, ask for a payout of what you are owed (and wait until it is paid), and ask other creators to remove you as a collaborator.',
        rate_limited: 'You downloaded your data a moment ago: try again in a minute.',
      },
    },
  },
}
