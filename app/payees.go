package app

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
)

// A release's collaborators, as the window edits them: the manifest's and
// the ledger's own rules say what is wrong with a list and how a price
// divides between its payees, so the window never works out a share.

// Reasons a list of collaborators is refused, stable keys the window
// translates; the message says the same in English.
const (
	ReasonEmail       = "email"        // not an email address
	ReasonTwice       = "twice"        // an address listed twice
	ReasonShare       = "share"        // a share outside 0.01..100 %
	ReasonTooMany     = "too_many"     // more payees than a sale can have
	ReasonOver        = "over"         // the shares add up to more than 100 %
	ReasonNothingLeft = "nothing_left" // the owner, not listed, would keep nothing
	ReasonOwnerSum    = "owner_sum"    // the owner is listed and the shares miss 100 %
	ReasonRefused     = "refused"      // the platform refused the list when it was synced
)

// PayeeProblem is what is wrong with a list of collaborators: the
// manifest field at fault ("collaborators[1].email", or "collaborators"
// for the list as a whole), a reason key and the platform's message.
type PayeeProblem struct {
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// PayeeCents is one collaborator's part of a sale.
type PayeeCents struct {
	Email    string `json:"email"`
	ShareBps int64  `json:"share_bps"`
	Cents    int64  `json:"cents"`
	Owner    bool   `json:"owner"` // the release owner listed by their own address
}

// PayeesView is a price divided between the platform, the release owner
// and the collaborators; with a Problem, only the problem is known.
type PayeesView struct {
	Gross         int64         `json:"gross"`
	Platform      int64         `json:"platform"`
	Creator       int64         `json:"creator"`
	OwnerBps      int64         `json:"owner_bps"`
	OwnerCents    int64         `json:"owner_cents"`
	Collaborators []PayeeCents  `json:"collaborators"`
	Problem       *PayeeProblem `json:"problem,omitempty"`
}

// normalCollaborators is a list as the platform reads it from a manifest;
// an empty list is none.
func normalCollaborators(cs []api.ManifestCollaborator) []api.ManifestCollaborator {
	if len(cs) == 0 {
		return nil
	}
	m := api.Manifest{Collaborators: append([]api.ManifestCollaborator(nil), cs...)}
	m.Normalize("")
	return m.Collaborators
}

// validOtherwise is a manifest the platform takes: checking it with a list
// of collaborators checks the list alone.
func validOtherwise(cs []api.ManifestCollaborator) api.Manifest {
	return api.Manifest{Title: "-", ArtistName: "-", Currency: "EUR", Collaborators: cs}
}

// checkPayees applies the manifest's rule to a normalized list, then what
// the platform adds knowing who owns the release (ownerEmail, "" when
// unknown): the owner keeps something, or lists themselves in a list
// adding up to 100 %, and a sale has at most ledger.MaxPayees payees.
func checkPayees(ownerEmail string, cs []api.ManifestCollaborator) *PayeeProblem {
	m := validOtherwise(cs)
	if err := m.Validate(); err != nil {
		return &PayeeProblem{Field: api.ErrorField(err), Reason: manifestReason(cs, api.ErrorField(err)), Message: api.ErrorMessage(err)}
	}
	var sum int64
	for _, c := range cs {
		sum += c.ShareBps
	}
	owner := ownerIndex(ownerEmail, cs)
	switch {
	case owner >= 0 && sum != 10_000:
		return &PayeeProblem{Field: "collaborators", Reason: ReasonOwnerSum,
			Message: fmt.Sprintf("you are listed yourself, so the shares must add up to 100 %%: they add up to %s", api.Percent(sum))}
	case owner < 0 && sum >= 10_000:
		return &PayeeProblem{Field: "collaborators", Reason: ReasonNothingLeft, Message: "the shares leave you nothing: keep at least 0.01 %"}
	case owner < 0 && len(cs)+1 > ledger.MaxPayees:
		return &PayeeProblem{Field: "collaborators", Reason: ReasonTooMany,
			Message: fmt.Sprintf("a release is shared by at most %d people, you included", ledger.MaxPayees)}
	}
	return nil
}

// manifestReason names the rule of the manifest that field broke.
func manifestReason(cs []api.ManifestCollaborator, field string) string {
	i, part := rowField(field)
	switch {
	case part == "share_bps":
		return ReasonShare
	case part == "email" && i < len(cs) && ownerIndex(cs[i].Email, cs[:i]) >= 0:
		return ReasonTwice
	case part == "email":
		return ReasonEmail
	case len(cs) > ledger.MaxPayees:
		return ReasonTooMany
	}
	return ReasonOver
}

// sidecarPrefix starts a sync error about a field of megabox.json.
var sidecarPrefix = sync.SidecarName + ": "

var rowFieldRE = regexp.MustCompile(`^collaborators\[(\d+)\]\.(\w+)$`)

// rowField splits "collaborators[2].email" into 2 and "email"; a field of
// the whole list gives -1.
func rowField(field string) (int, string) {
	m := rowFieldRE.FindStringSubmatch(field)
	if m == nil {
		return -1, ""
	}
	i, err := strconv.Atoi(m[1])
	if err != nil {
		return -1, ""
	}
	return i, m[2]
}

// ownerIndex is where email appears in cs, or -1.
func ownerIndex(email string, cs []api.ManifestCollaborator) int {
	if email == "" {
		return -1
	}
	for i, c := range cs {
		if strings.EqualFold(c.Email, email) {
			return i
		}
	}
	return -1
}

// payeesView divides a payment of grossCents between the platform, the
// owner and the collaborators cs, by the ledger's rule: the platform's
// share first, then each collaborator's floor of the creator share, the
// remainder to the owner.
func payeesView(grossCents int64, ownerEmail string, cs []api.ManifestCollaborator) (PayeesView, error) {
	s, err := ledger.SplitGross(grossCents, ledger.DefaultRateBps)
	if err != nil {
		return PayeesView{}, api.FieldErrorf("amount_cents", "must not be negative")
	}
	cs = normalCollaborators(cs)
	v := PayeesView{Gross: s.Gross, Platform: s.Platform, Creator: s.Creator, Collaborators: []PayeeCents{}}
	if v.Problem = checkPayees(ownerEmail, cs); v.Problem != nil {
		return v, nil
	}
	shares, ownerID := ledgerShares(ownerEmail, cs)
	parts, err := ledger.SplitParts(s.Creator, ownerID, shares)
	if err != nil { // checkPayees let through a list the ledger refuses
		v.Problem = &PayeeProblem{Field: "collaborators", Reason: ReasonOver, Message: err.Error()}
		return v, nil
	}
	for i, sh := range shares {
		if sh.AccountID == ownerID {
			v.OwnerBps, v.OwnerCents = sh.Bps, parts[i].Cents
		}
		if i < len(cs) {
			v.Collaborators = append(v.Collaborators, PayeeCents{Email: cs[i].Email, ShareBps: cs[i].ShareBps, Cents: parts[i].Cents, Owner: sh.AccountID == ownerID})
		}
	}
	return v, nil
}

// ledgerShares numbers the payees for the ledger, collaborators in order
// and then the owner with what they leave, unless the owner is listed.
func ledgerShares(ownerEmail string, cs []api.ManifestCollaborator) (shares []ledger.Share, ownerID int64) {
	owner := ownerIndex(ownerEmail, cs)
	ownerID = int64(len(cs) + 1)
	var sum int64
	for i, c := range cs {
		id := int64(i + 1)
		if i == owner {
			id = ownerID
		}
		shares = append(shares, ledger.Share{AccountID: id, Bps: c.ShareBps})
		sum += c.ShareBps
	}
	if owner < 0 {
		shares = append(shares, ledger.Share{AccountID: ownerID, Bps: 10_000 - sum})
	}
	return shares, ownerID
}

// syncedProblem is a release's sync error read as a problem with its
// collaborators, when the platform refused them (the error names
// megabox.json and the field at fault); nil otherwise.
func syncedProblem(msg string) *PayeeProblem {
	rest, ok := strings.CutPrefix(msg, sidecarPrefix)
	if !ok {
		return nil
	}
	field, text, ok := strings.Cut(rest, ": ")
	if !ok || (field != "collaborators" && !rowFieldRE.MatchString(field)) {
		return nil
	}
	return &PayeeProblem{Field: field, Reason: ReasonRefused, Message: strings.TrimSuffix(text, " ("+api.EINVALID+")")}
}

// ownerEmail is the signed-in account's address, "" when signed out.
func (a *App) ownerEmail() string {
	if acc := a.currentAccount(); acc != nil {
		return acc.Email
	}
	return ""
}
