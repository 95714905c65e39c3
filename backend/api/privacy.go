package api

import (
	"context"
	"fmt"
	"io"
)

// DeleteWord is what a person types to confirm their account's deletion.
const DeleteWord = "DELETE"

// AccountDeletion asks for the caller's account to be deleted: their
// password again and DeleteWord typed out.
type AccountDeletion struct {
	Password string `json:"password"`
	Confirm  string `json:"confirm"`
}

// Validate names the field at fault.
func (d AccountDeletion) Validate() error {
	if d.Password == "" {
		return FieldErrorf("password", "enter your password to delete your account")
	}
	if d.Confirm != DeleteWord {
		return FieldErrorf("confirm", "type %s to confirm", DeleteWord)
	}
	return nil
}

// PrivacyService gives people their own data and deletes their account.
type PrivacyService interface {
	// ExportData writes, as a zip, everything the platform holds about
	// the caller (not the audio of their files). EUNAUTHORIZED without a
	// session; ERATELIMIT when asked again within a minute. Nothing is
	// written before the checks pass.
	ExportData(ctx context.Context, w io.Writer) error
	// DeleteAccount ends the caller's account: it can no longer sign in,
	// its sessions end, and what names its owner is removed; its sales
	// stay in the books under an anonymous name and receipts stay valid.
	// EINVALID for a missing confirmation or a wrong password (field
	// "password"); ECONFLICT while the account has releases on sale,
	// shares of others' releases, money owed or a payout pending (the
	// message says what to do first).
	DeleteAccount(ctx context.Context, in AccountDeletion) error
}

// ExportFilename is the name an account's data export is saved under.
func ExportFilename(accountID int64) string {
	return fmt.Sprintf("megabox-data-%d.zip", accountID)
}
