package app

import (
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

// checkPayees applies the manifest's rule to a normalized list, then the
// ledger's rule for a release owned by ownerEmail ("" when unknown): the
// owner keeps something, or lists themselves in a list adding up to
// 100 %, and a sale has at most ledger.MaxPayees payees.
func checkPayees(ownerEmail string, cs []api.ManifestCollaborator) *PayeeProblem {
	if err := api.CheckCollaborators(cs); err != nil {
		return &PayeeProblem{Field: api.ErrorField(err), Reason: manifestReason(cs, api.ErrorField(err)), Message: api.ErrorMessage(err)}
	}
	if _, _, err := ledgerShares(ownerEmail, cs); err != nil {
		reason := map[string]string{ledger.ReasonNothingLeft: ReasonNothingLeft, ledger.ReasonOwnerSum: ReasonOwnerSum,
			ledger.ReasonTooMany: ReasonTooMany}[ledger.SharesReason(err)]
		if reason == "" {
			reason = ReasonOver
		}
		return &PayeeProblem{Field: "collaborators", Reason: reason, Message: err.Error()}
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
	shares, ownerID, err := ledgerShares(ownerEmail, cs)
	if err != nil {
		return v, err
	}
	parts, err := ledger.SplitParts(s.Creator, ownerID, shares)
	if err != nil { // checkPayees let through a list the ledger refuses
		v.Problem = &PayeeProblem{Field: "collaborators", Reason: ReasonOver, Message: err.Error()}
		return v, nil
	}
	cents := map[int64]int64{}
	for i, sh := range shares {
		cents[sh.AccountID] = parts[i].Cents
		if sh.AccountID == ownerID {
			v.OwnerBps, v.OwnerCents = sh.Bps, parts[i].Cents
		}
	}
	for i, c := range cs {
		id := payeeID(i, ownerEmail, cs, ownerID)
		v.Collaborators = append(v.Collaborators, PayeeCents{Email: c.Email, ShareBps: c.ShareBps, Cents: cents[id], Owner: id == ownerID})
	}
	return v, nil
}

// ledgerShares numbers the payees for the ledger (collaborator i is i+1,
// the owner len(cs)+1) and completes the list by the ledger's rule, the
// owner first.
func ledgerShares(ownerEmail string, cs []api.ManifestCollaborator) (shares []ledger.Share, ownerID int64, err error) {
	ownerID = int64(len(cs) + 1)
	listed := make([]ledger.Share, len(cs))
	for i, c := range cs {
		listed[i] = ledger.Share{AccountID: payeeID(i, ownerEmail, cs, ownerID), Bps: c.ShareBps}
	}
	shares, err = ledger.WithOwner(ownerID, listed)
	return shares, ownerID, err
}

// payeeID is collaborator i's number for the ledger: the owner's when
// the owner listed themselves.
func payeeID(i int, ownerEmail string, cs []api.ManifestCollaborator, ownerID int64) int64 {
	if owner := ownerIndex(ownerEmail, cs); owner == i {
		return ownerID
	}
	return int64(i + 1)
}

// syncedProblem is a release's sync error read as a problem with its
// collaborators, when the platform refused them (the error names
// megabox.json and the field at fault); nil otherwise.
func syncedProblem(p *sync.Problem) *PayeeProblem {
	if p == nil || p.Kind != sync.KindSidecarInvalid || p.Code == "" {
		return nil
	}
	rest, ok := strings.CutPrefix(p.Detail, sidecarPrefix)
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
