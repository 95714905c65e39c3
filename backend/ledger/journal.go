package ledger

import (
	"fmt"
	"strconv"
)

// Ledger accounts. Debits are positive amounts, credits negative; every
// transaction sums to zero.
const (
	AccountPlatformRevenue = "platform:revenue" // income: the 10 %
	AccountPlatformFees    = "platform:fees"    // expense: payment processing
	AccountPayoutsPending  = "payouts:pending"  // liability: requested, not yet paid
)

// CreatorAccount is the liability account of what the platform owes a creator.
func CreatorAccount(creatorID int64) string {
	var b [32]byte // "creator:" and any int64 fit: one allocation per name
	return string(strconv.AppendInt(append(b[:0], "creator:"...), creatorID, 10))
}

// ProviderAccount is the asset account of money held at a payment provider.
func ProviderAccount(provider string) string { return "provider:" + provider }

// Posting is one line of a transaction.
type Posting struct {
	Account  string
	Amount   int64 // > 0 debit, < 0 credit
	Currency string
}

// Txn is a balanced set of postings.
type Txn []Posting

// Balanced reports whether the postings sum to zero in every currency.
func (t Txn) Balanced() bool {
	var sum int64
	for i := range t {
		if t[i].Currency != t[0].Currency {
			return t.balancedPerCurrency()
		}
		sum += t[i].Amount
	}
	return sum == 0
}

// balancedPerCurrency is Balanced for postings in several currencies.
func (t Txn) balancedPerCurrency() bool {
	sums := map[string]int64{}
	for _, p := range t {
		sums[p.Currency] += p.Amount
	}
	for _, s := range sums {
		if s != 0 {
			return false
		}
	}
	return true
}

// Sale records a payment to a single creator: the provider holds gross,
// owed to the creator and earned by the platform; the processing fee is the
// platform's cost. It is SaleParts with the creator as the only payee.
func Sale(provider string, creatorID int64, s Split, fee int64, currency string) (Txn, error) {
	if s.Creator+s.Platform != s.Gross {
		return nil, fmt.Errorf("%w: unbalanced sale", ErrAmount)
	}
	return SaleParts(provider, []Part{{AccountID: creatorID, Cents: s.Creator}}, s.Platform, fee, currency)
}

// Refund reverses both legs of a sale by a refund's split.
func Refund(provider string, creatorID int64, r Split, currency string) Txn {
	return Txn{
		{CreatorAccount(creatorID), r.Creator, currency},
		{AccountPlatformRevenue, r.Platform, currency},
		{ProviderAccount(provider), -r.Gross, currency},
	}
}

// PayoutRequested moves money owed to a creator into pending payouts.
func PayoutRequested(creatorID, amount int64, currency string) Txn {
	return Txn{{CreatorAccount(creatorID), amount, currency}, {AccountPayoutsPending, -amount, currency}}
}

// PayoutPaid records the money leaving the provider for the creator.
func PayoutPaid(provider string, amount int64, currency string) Txn {
	return Txn{{AccountPayoutsPending, amount, currency}, {ProviderAccount(provider), -amount, currency}}
}

// Transfer records money leaving the platform's provider balance for a
// creator's own account at the provider (Stripe Connect): what the
// platform owes them is settled at once. A negative amount is a transfer
// reversal, taking it back.
func Transfer(provider string, creatorID, amount int64, currency string) Txn {
	return Txn{{CreatorAccount(creatorID), amount, currency}, {ProviderAccount(provider), -amount, currency}}
}
