// The signed-in person's own data: the generated bindings of PrivacyAPI,
// each call through `call` like every other binding.
import * as Privacy from '../../wailsjs/go/app/PrivacyAPI'
import { call } from './index'

export const privacyApi = {
  // exportData saves the account's data as a zip where the user chooses
  // (title: the save dialog's, in the user's words); it answers the path,
  // or '' when the dialog was cancelled.
  exportData: (title: string) => call(Privacy.ExportData(title)),
  // deleteAccount deletes the account; the Go side then signs out and
  // forgets the stored session.
  deleteAccount: (password: string, confirm: string) => call(Privacy.DeleteAccount(password, confirm)),
}
