package api

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// Download and discount codes. A creator makes a batch of single-use codes
// for one of their releases; a fan redeems one: a free code makes the
// release theirs at once, a discount code lowers the price of a checkout.
// Codes are shown once, when the batch is made; the platform keeps only
// their hashes.

// Code kinds.
const (
	CodeFree    = "free"    // the release for nothing
	CodePercent = "percent" // PercentOff % off the price
	CodeFixed   = "fixed"   // OffCents off the price
)

// Batch sizes: MaxCodesPerBatch codes in one request at most.
const MaxCodesPerBatch = 50_000

// CodeLen is how many characters a code has, without its dashes;
// CodeAlphabet is what they are made of: no 0/O, 1/I to tell apart.
const (
	CodeLen      = 10
	CodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
)

// Errors of a code that cannot be redeemed. Unknown codes are ENOTFOUND.
const (
	ECODEUSED    = "code_used"    // redeemed already, or held by another fan's open checkout
	ECODEEXPIRED = "code_expired" // past its batch's expiry
	ECODEREVOKED = "code_revoked" // its batch was withdrawn by the artist
	ECODERELEASE = "code_release" // a code for another release
)

// CodeBatchCreate asks for a batch of codes.
type CodeBatchCreate struct {
	Count      int    `json:"count"`
	Kind       string `json:"kind"`                  // CodeFree, CodePercent or CodeFixed
	PercentOff int64  `json:"percent_off,omitempty"` // 1..100 for CodePercent
	OffCents   int64  `json:"off_cents,omitempty"`   // below the price, for CodeFixed
	// ExpiresAt ends the codes' validity; nil: they never expire.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Label     string     `json:"label,omitempty"`
}

// MaxCodeLabelLen bounds a batch's label.
const MaxCodeLabelLen = 100

// Normalize trims the label and lower-cases the kind.
func (in *CodeBatchCreate) Normalize() {
	in.Kind = strings.ToLower(strings.TrimSpace(in.Kind))
	in.Label = strings.TrimSpace(in.Label)
}

// Validate checks a normalized batch request against the release it is
// for, at now; EINVALID names the field.
func (in *CodeBatchCreate) Validate(rel *Release, now time.Time) error {
	switch {
	case in.Count < 1 || in.Count > MaxCodesPerBatch:
		return FieldErrorf("count", "make between 1 and %d codes at once", MaxCodesPerBatch)
	case in.ExpiresAt != nil && !in.ExpiresAt.After(now):
		return FieldErrorf("expires_at", "the expiry must be in the future")
	}
	if err := CheckName("label", in.Label, MaxCodeLabelLen); err != nil && in.Label != "" {
		return err
	}
	switch in.Kind {
	case CodeFree:
		if in.PercentOff != 0 || in.OffCents != 0 {
			return FieldErrorf("kind", "a free code takes no discount")
		}
	case CodePercent:
		if in.PercentOff < 1 || in.PercentOff > 100 || in.OffCents != 0 {
			return FieldErrorf("percent_off", "a percentage must be between 1 and 100")
		}
	case CodeFixed:
		price := rel.PriceCents
		if rel.PayWhatYouWant {
			price = max(rel.PriceCents, rel.MinCents)
		}
		if in.OffCents < 1 || in.OffCents >= price || in.PercentOff != 0 {
			return FieldErrorf("off_cents", "a discount must be between %s and less than the price, %s",
				FormatCents(1, rel.Currency), FormatCents(price, rel.Currency))
		}
	default:
		return FieldErrorf("kind", "kind must be %q, %q or %q", CodeFree, CodePercent, CodeFixed)
	}
	return nil
}

// CodeBatch is a batch of codes as its creator sees it.
type CodeBatch struct {
	ID         int64      `json:"id"`
	ReleaseID  int64      `json:"release_id"`
	Kind       string     `json:"kind"`
	PercentOff int64      `json:"percent_off,omitempty"`
	OffCents   int64      `json:"off_cents,omitempty"`
	Label      string     `json:"label"`
	Count      int        `json:"count"`
	Redeemed   int        `json:"redeemed"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// CodeBatchCreated is a new batch and its codes, in plain text: the only
// time they are shown.
type CodeBatchCreated struct {
	Batch CodeBatch `json:"batch"`
	Codes []string  `json:"codes"`
}

// CodeRedeem is a fan's code; ReleaseID, when set, is the release they
// mean it for (a code for another one is ECODERELEASE).
type CodeRedeem struct {
	Code      string `json:"code"`
	ReleaseID int64  `json:"release_id,omitempty"`
}

// Redemption is what a code gives: a free code's purchase, made; or a
// discount code's price, to pay with a checkout that names the code.
type Redemption struct {
	Kind       string `json:"kind"`
	ReleaseID  int64  `json:"release_id"`
	Title      string `json:"title"`
	ArtistName string `json:"artist_name"`
	Currency   string `json:"currency"`
	PriceCents int64  `json:"price_cents"` // what the release asks without the code
	PayCents   int64  `json:"pay_cents"`   // what it asks with the code
	// MinCents is the least the fan may pay with the code: PayCents, or
	// less for a pay-what-you-want release.
	MinCents       int64     `json:"min_cents"`
	PayWhatYouWant bool      `json:"pay_what_you_want"`
	Purchase       *Purchase `json:"purchase,omitempty"`
}

// CodeService makes and redeems codes.
type CodeService interface {
	// CreateCodes makes a batch for one of the caller's releases:
	// EINVALID names the field at fault; ENOTFOUND for anyone else's
	// release.
	CreateCodes(ctx context.Context, releaseID int64, in CodeBatchCreate) (*CodeBatchCreated, error)
	// CodeBatches lists a release's batches, newest first.
	CodeBatches(ctx context.Context, releaseID int64) ([]CodeBatch, error)
	// RevokeCodeBatch withdraws a batch's unredeemed codes.
	RevokeCodeBatch(ctx context.Context, releaseID, batchID int64) (*CodeBatch, error)
	// RedeemCode redeems a free code (the sale is made) or prices a
	// discount code. ENOTFOUND for an unknown code, ECODEUSED,
	// ECODEEXPIRED, ECODEREVOKED, ECODERELEASE, ECONFLICT when the fan
	// owns the release already.
	RedeemCode(ctx context.Context, in CodeRedeem) (*Redemption, error)
}

// NormalizeCode reads a code as people type it: any case, with or
// without dashes and spaces. ok is false when it cannot be a code.
func NormalizeCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r < 128 && strings.IndexByte(CodeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
		if b.Len() > CodeLen {
			return "", false
		}
	}
	return b.String(), b.Len() == CodeLen
}

// FormatCode groups a normalized code for reading: K7QM-P2XW-9D.
func FormatCode(c string) string {
	if len(c) != CodeLen {
		return c
	}
	return c[:4] + "-" + c[4:8] + "-" + c[8:]
}

// WriteCodesCSV writes a new batch's codes as CSV, one code a line with
// what it gives: the file a creator keeps and hands out from.
func WriteCodesCSV(w io.Writer, b *CodeBatchCreated) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"code", "release_id", "batch_id", "kind", "discount", "expires_at", "label"})
	discount := ""
	switch b.Batch.Kind {
	case CodePercent:
		discount = strconv.FormatInt(b.Batch.PercentOff, 10) + "%"
	case CodeFixed:
		discount = strconv.FormatInt(b.Batch.OffCents, 10)
	}
	expires := ""
	if b.Batch.ExpiresAt != nil {
		expires = b.Batch.ExpiresAt.UTC().Format(time.RFC3339)
	}
	label := b.Batch.Label
	if label != "" && strings.ContainsRune("=+-@\t\r", rune(label[0])) {
		label = "'" + label // a spreadsheet would run it as a formula
	}
	rel, batch := strconv.FormatInt(b.Batch.ReleaseID, 10), strconv.FormatInt(b.Batch.ID, 10)
	for _, c := range b.Codes {
		_ = cw.Write([]string{c, rel, batch, b.Batch.Kind, discount, expires, label})
	}
	cw.Flush()
	return cw.Error()
}
