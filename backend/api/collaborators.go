package api

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/megabox-fm/megabox/backend/ledger"
)

// MaxCollaborators bounds a release's collaborators: with its owner, a
// sale has at most 8 payees.
const MaxCollaborators = 7

// CheckCollaborators checks what can be checked without the accounts: the
// number, the addresses, each share and their sum. Whether each address
// is a creator's, and the owner's share (ledger.WithOwner), the platform
// decides.
func CheckCollaborators(cs []ManifestCollaborator) error {
	if len(cs) > MaxCollaborators+1 {
		return FieldErrorf("collaborators", "a release is shared by at most %d people, its owner included", MaxCollaborators+1)
	}
	seen := map[string]bool{}
	var sum int64
	for i, c := range cs {
		field := fmt.Sprintf("collaborators[%d]", i)
		if addr, err := mail.ParseAddress(c.Email); err != nil || addr.Address != c.Email || len(c.Email) > 254 {
			return FieldErrorf(field+".email", "enter a valid email address")
		}
		if seen[strings.ToLower(c.Email)] {
			return FieldErrorf(field+".email", "%s is listed twice", c.Email)
		}
		seen[strings.ToLower(c.Email)] = true
		if c.ShareBps < 1 || c.ShareBps > 10_000 {
			return FieldErrorf(field+".share_bps", "a share must be between 0.01 %% and 100 %% (1 to 10000 basis points)")
		}
		sum += c.ShareBps
	}
	if sum > 10_000 {
		return FieldErrorf("collaborators", "the shares add up to %s, more than 100 %%", Percent(sum))
	}
	return nil
}

// Percent writes basis points as a percentage: 2500 → "25 %", 3333 →
// "33.33 %".
func Percent(bps int64) string { return ledger.Percent(bps) + " %" }
