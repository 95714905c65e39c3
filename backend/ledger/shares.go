package ledger

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
)

// Collaborator splits. A release's creator share (gross − platform) divides
// between up to MaxPayees accounts by basis points summing to 10,000. Each
// collaborator gets floor(creator × bps / 10000); every remainder cent goes
// to the release owner, who is always one of the payees. Refunds divide the
// creator side of a refund the same way, clamped so that nobody is refunded
// more than they have left.

// MaxPayees is how many accounts may share one release's earnings.
const MaxPayees = 8

// Share is one payee's part of a release's creator share, in basis points.
type Share struct {
	AccountID int64
	Bps       int64
}

// Part is one payee's cents of a sale or a refund.
type Part struct {
	AccountID int64
	Cents     int64
}

// ErrShares is returned for a list of collaborator shares the ledger
// cannot take. The error's message is written for the creator who set them.
var ErrShares = errors.New("invalid collaborator shares")

// sharesError carries a message a creator can read and matches ErrShares.
type sharesError struct{ msg, reason string }

func (e *sharesError) Error() string { return e.msg }
func (e *sharesError) Unwrap() error { return ErrShares }

func sharesErrorf(format string, args ...any) error {
	return &sharesError{msg: fmt.Sprintf(format, args...)}
}

// OwnerOnly is the split of a release with no collaborators.
func OwnerOnly(ownerID int64) []Share { return []Share{{AccountID: ownerID, Bps: 10_000}} }

// CheckShares reports whether shares are a valid split of a release owned
// by ownerID: 1 to MaxPayees payees, each account once, each share between
// 1 and 10,000 basis points, all adding up to exactly 10,000, the owner
// among them. An empty list means the owner alone and is valid.
func CheckShares(ownerID int64, shares []Share) error {
	if ownerID <= 0 {
		return sharesErrorf("the release owner's account %d is not a valid account", ownerID)
	}
	if len(shares) == 0 {
		return nil
	}
	if len(shares) > MaxPayees {
		return sharesErrorf("a release can be shared between at most %d accounts: this split has %d", MaxPayees, len(shares))
	}
	var sum int64
	owner := false
	for i := range shares {
		s := shares[i]
		if s.AccountID <= 0 {
			return sharesErrorf("collaborator %d has no valid account (%d)", i+1, s.AccountID)
		}
		if s.Bps < 1 || s.Bps > 10_000 {
			return sharesErrorf("each collaborator's share must be between 0.01 %% and 100 %%: account %d has %s %%", s.AccountID, percent(s.Bps))
		}
		if seenBefore(shares, i) {
			return sharesErrorf("account %d appears more than once in the split", s.AccountID)
		}
		owner = owner || s.AccountID == ownerID
		sum += s.Bps // at most MaxPayees × 10,000: no overflow
	}
	if sum != 10_000 {
		return sharesErrorf("collaborator shares must add up to 100 %%: they add up to %s %%", percent(sum))
	}
	if !owner {
		return sharesErrorf("the release owner (account %d) must be one of the payees", ownerID)
	}
	return nil
}

// seenBefore reports whether shares[i]'s account comes earlier in shares.
func seenBefore(shares []Share, i int) bool {
	for j := 0; j < i; j++ {
		if shares[j].AccountID == shares[i].AccountID {
			return true
		}
	}
	return false
}

// Percent writes basis points as a percentage: 9550 → "95.5", 3333 →
// "33.33".
func Percent(bps int64) string { return percent(bps) }

func percent(bps int64) string {
	sign := ""
	if bps < 0 {
		sign, bps = "-", -bps
	}
	s := sign + strconv.FormatInt(bps/100, 10)
	switch frac := bps % 100; {
	case frac == 0:
	case frac%10 == 0:
		s += "." + strconv.FormatInt(frac/10, 10)
	default:
		s += fmt.Sprintf(".%02d", frac)
	}
	return s
}

// payees returns the checked shares, an empty list standing for the owner alone.
func payees(ownerID int64, shares []Share) ([]Share, error) {
	if err := CheckShares(ownerID, shares); err != nil {
		return nil, err
	}
	if len(shares) == 0 {
		return OwnerOnly(ownerID), nil
	}
	return shares, nil
}

// SplitParts divides a sale's creator share between the payees, in the
// order of shares: each collaborator gets floor(creator × bps / 10000) and
// the owner the rest, so the parts always add up to creator.
func SplitParts(creator, ownerID int64, shares []Share) ([]Part, error) {
	if creator < 0 {
		return nil, fmt.Errorf("%w: a creator share cannot be negative (%d)", ErrAmount, creator)
	}
	shares, err := payees(ownerID, shares)
	if err != nil {
		return nil, err
	}
	return divide(creator, ownerID, shares), nil
}

// divide gives each collaborator their floor and the owner the remainder.
// The sum of floors never exceeds amount, so the owner's part is never
// negative, and it exceeds the owner's exact share by less than one cent
// per collaborator.
func divide(amount, ownerID int64, shares []Share) []Part {
	parts := make([]Part, len(shares))
	owner, rest := ownerIndex(shares, ownerID), amount
	for i := range shares {
		parts[i].AccountID = shares[i].AccountID
		if i != owner {
			parts[i].Cents = bpsShare(amount, shares[i].Bps)
			rest -= parts[i].Cents
		}
	}
	parts[owner].Cents = rest
	return parts
}

// ownerIndex is the owner's place in checked shares.
func ownerIndex(shares []Share, ownerID int64) int {
	for i := range shares {
		if shares[i].AccountID == ownerID {
			return i
		}
	}
	panic("ledger: owner missing from checked shares")
}

// RefundParts divides the creator side of a refund between the payees.
// remaining is what each payee has left of the sale, in the order of
// shares. The rule is the sale's (floor per collaborator, remainder to the
// owner), clamped so that nobody is refunded more than they have left:
//
//   - a collaborator's floor is capped at what they have left, the rest
//     falling to the owner;
//   - if the owner's part then exceeds what the owner has left, the owner
//     gives back everything left and the excess is shared among the
//     collaborators in proportion to what each still has beyond their
//     floor (the floor of that, and the cents rounding leaves to the
//     largest remainders).
//
// The parts always add up to creatorRefund, and a refund of everything
// that remains returns each payee's remaining exactly, so a fully refunded
// sale leaves every payee at 0.
func RefundParts(remaining []Part, creatorRefund, ownerID int64, shares []Share) ([]Part, error) {
	shares, err := payees(ownerID, shares)
	if err != nil {
		return nil, err
	}
	left, err := checkRemaining(remaining, shares)
	if err != nil {
		return nil, err
	}
	if creatorRefund < 0 {
		return nil, fmt.Errorf("%w: a refund cannot be negative (%d)", ErrAmount, creatorRefund)
	}
	if creatorRefund > left {
		return nil, fmt.Errorf("%w: creator refund of %d exceeds the %d the payees have left", ErrAmount, creatorRefund, left)
	}
	parts := divide(creatorRefund, ownerID, shares)
	owner := ownerIndex(shares, ownerID)
	for i := range parts {
		if i != owner && parts[i].Cents > remaining[i].Cents {
			parts[owner].Cents += parts[i].Cents - remaining[i].Cents
			parts[i].Cents = remaining[i].Cents
		}
	}
	if excess := parts[owner].Cents - remaining[owner].Cents; excess > 0 {
		parts[owner].Cents = remaining[owner].Cents
		spread(parts, remaining, owner, excess)
	}
	return parts, nil
}

// checkRemaining checks that remaining matches shares, payee for payee,
// with nothing negative, and returns its total.
func checkRemaining(remaining []Part, shares []Share) (int64, error) {
	if len(remaining) != len(shares) {
		return 0, fmt.Errorf("%w: %d remaining parts for %d payees", ErrAmount, len(remaining), len(shares))
	}
	var total int64
	for i := range remaining {
		r := remaining[i]
		if r.AccountID != shares[i].AccountID {
			return 0, fmt.Errorf("%w: remaining part %d is account %d, the split says %d", ErrAmount, i+1, r.AccountID, shares[i].AccountID)
		}
		if r.Cents < 0 || r.Cents > maxInt64-total {
			return 0, fmt.Errorf("%w: remaining part of account %d is %d", ErrAmount, r.AccountID, r.Cents)
		}
		total += r.Cents
	}
	return total, nil
}

const maxInt64 = 1<<63 - 1

// spread shares excess cents among the collaborators (all but skip) in
// proportion to the room each has, room being what they have left beyond
// their current part: each gets the floor of their proportion, and the few
// cents that rounding leaves go to the largest remainders (the first in
// share order on a tie), so that a run of one-cent refunds takes turns
// between collaborators instead of draining one first. The caller
// guarantees excess ≤ total room, so nobody goes beyond what they have left.
func spread(parts, remaining []Part, skip int, excess int64) {
	var total uint64
	for i := range parts {
		if i != skip {
			total += uint64(remaining[i].Cents - parts[i].Cents)
		}
	}
	var frac [MaxPayees]uint64 // excess × room mod total, per payee
	left := excess
	for i := range parts {
		if i == skip {
			continue
		}
		room := uint64(remaining[i].Cents - parts[i].Cents)
		// floor(excess × room / total), exact in 128 bits; excess ≤ total
		// keeps it within room, and below room whenever frac > 0.
		hi, lo := bits.Mul64(uint64(excess), room)
		q, r := bits.Div64(hi, lo, total)
		parts[i].Cents += int64(q)
		left -= int64(q)
		frac[i] = r
	}
	// Fewer cents are left than there are payees with frac > 0.
	for ; left > 0; left-- {
		best := -1
		for i := range parts {
			if frac[i] > 0 && (best < 0 || frac[i] > frac[best]) {
				best = i
			}
		}
		parts[best].Cents++
		frac[best] = 0
	}
}

// SaleParts records a payment shared between payees: the provider holds
// Σ parts + platform, each payee is owed their part (one posting each, in
// order), the platform earns its share, and the processing fee is the
// platform's cost.
func SaleParts(provider string, parts []Part, platform, fee int64, currency string) (Txn, error) {
	gross, err := partsTotal(parts, platform)
	if err != nil {
		return nil, err
	}
	if fee < 0 {
		return nil, fmt.Errorf("%w: negative fee %d", ErrAmount, fee)
	}
	t := make(Txn, 0, len(parts)+4)
	t = append(t, Posting{ProviderAccount(provider), gross, currency})
	for i := range parts {
		t = append(t, Posting{CreatorAccount(parts[i].AccountID), -parts[i].Cents, currency})
	}
	t = append(t, Posting{AccountPlatformRevenue, -platform, currency})
	if fee > 0 {
		t = append(t, Posting{AccountPlatformFees, fee, currency}, Posting{ProviderAccount(provider), -fee, currency})
	}
	return t, nil
}

// RefundPartsTxn reverses a shared sale by a refund's parts (from
// RefundParts) and the platform's part (from SplitRefund).
func RefundPartsTxn(provider string, parts []Part, platform int64, currency string) Txn {
	t := make(Txn, 0, len(parts)+2)
	gross := platform
	for i := range parts {
		t = append(t, Posting{CreatorAccount(parts[i].AccountID), parts[i].Cents, currency})
		gross += parts[i].Cents
	}
	t = append(t, Posting{AccountPlatformRevenue, platform, currency})
	return append(t, Posting{ProviderAccount(provider), -gross, currency})
}

// partsTotal is Σ parts + platform, refusing negative amounts, a payee
// named twice, and totals beyond int64.
func partsTotal(parts []Part, platform int64) (int64, error) {
	if len(parts) == 0 {
		return 0, fmt.Errorf("%w: a sale needs at least one payee", ErrAmount)
	}
	if platform < 0 {
		return 0, fmt.Errorf("%w: negative platform share %d", ErrAmount, platform)
	}
	total := platform
	for i := range parts {
		p := parts[i]
		if p.Cents < 0 || p.Cents > maxInt64-total {
			return 0, fmt.Errorf("%w: part of account %d is %d", ErrAmount, p.AccountID, p.Cents)
		}
		for j := 0; j < i; j++ {
			if parts[j].AccountID == p.AccountID {
				return 0, fmt.Errorf("%w: account %d is paid twice", ErrAmount, p.AccountID)
			}
		}
		total += p.Cents
	}
	return total, nil
}

// Why a list of payees is refused, for callers that explain it in other
// words (the app translates them).
const (
	ReasonNothingLeft = "nothing_left" // the owner, unlisted, would keep nothing
	ReasonOwnerSum    = "owner_sum"    // the owner is listed and the shares miss 100 %
	ReasonTooMany     = "too_many"     // more than MaxPayees payees
)

// SharesReason is why WithOwner refused a list: one of the Reason
// constants, or "" for any other error.
func SharesReason(err error) string {
	var e *sharesError
	if errors.As(err, &e) {
		return e.reason
	}
	return ""
}

// WithOwner completes the payees a release's owner listed into its split,
// the owner first: the owner, when not listed, keeps what the others leave
// (at least 0.01 %); listed, the shares must add up to 100 %. No list is
// the owner alone. The result passes CheckShares.
func WithOwner(ownerID int64, listed []Share) ([]Share, error) {
	if len(listed) == 0 {
		return OwnerOnly(ownerID), nil
	}
	var own []Share
	others := make([]Share, 0, len(listed))
	var sum, rest int64
	for _, s := range listed {
		sum += s.Bps
		if s.AccountID == ownerID {
			own = append(own, s)
		} else {
			others = append(others, s)
			rest += s.Bps
		}
	}
	switch {
	case len(own) == 0 && rest >= 10_000:
		return nil, &sharesError{reason: ReasonNothingLeft, msg: fmt.Sprintf(
			"the collaborators' shares add up to %s %%: the owner must keep some, or be listed too with the shares adding up to 100 %%", percent(rest))}
	case len(own) == 0:
		own = []Share{{AccountID: ownerID, Bps: 10_000 - rest}}
	case sum != 10_000:
		return nil, &sharesError{reason: ReasonOwnerSum, msg: fmt.Sprintf(
			"the owner is listed, so the shares must add up to 100 %%: they add up to %s %%", percent(sum))}
	}
	out := append(own, others...)
	if len(out) > MaxPayees {
		return nil, &sharesError{reason: ReasonTooMany, msg: fmt.Sprintf(
			"a release is shared by at most %d people, its owner included: this list makes %d", MaxPayees, len(out))}
	}
	return out, CheckShares(ownerID, out)
}
