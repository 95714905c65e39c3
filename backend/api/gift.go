package api

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxGiftMessage bounds a gift's message, in characters.
const MaxGiftMessage = 500

// GiftCreate makes a checkout a gift: the release goes to whoever claims
// it with the link sent to Email.
type GiftCreate struct {
	Email   string `json:"email"`
	Message string `json:"message,omitempty"` // plain text, shown to the recipient
	// Lang is the email's language, "en" or "fr"; empty for English.
	Lang string `json:"lang,omitempty"`
}

// Normalize trims the gift form's text and makes line ends "\n".
func (g *GiftCreate) Normalize() {
	g.Email = strings.TrimSpace(g.Email)
	g.Message = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(g.Message, "\r\n", "\n"), "\r", "\n"))
}

// Validate checks a normalized gift; EINVALID names the field.
func (g *GiftCreate) Validate() error {
	if addr, err := mail.ParseAddress(g.Email); err != nil || addr.Address != g.Email || len(g.Email) > 254 {
		return FieldErrorf("gift.email", "enter the email address to send the gift to")
	}
	if !utf8.ValidString(g.Message) || utf8.RuneCountInString(g.Message) > MaxGiftMessage {
		return FieldErrorf("gift.message", "a gift message has at most %d characters", MaxGiftMessage)
	}
	if strings.IndexFunc(g.Message, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }) >= 0 {
		return FieldErrorf("gift.message", "a gift message is plain text")
	}
	if g.Lang != "" && g.Lang != "en" && g.Lang != "fr" {
		return FieldErrorf("gift.lang", "a gift's language is en or fr")
	}
	return nil
}

// Gift states.
const (
	GiftWaiting  = "waiting"  // paid, not claimed yet
	GiftClaimed  = "claimed"  // the recipient owns the release
	GiftRefunded = "refunded" // given back before it was claimed
)

// Gift is a release a fan bought for someone else, as its giver sees it.
type Gift struct {
	ID         int64  `json:"id"`
	ReleaseID  int64  `json:"release_id"`
	PurchaseID int64  `json:"purchase_id"`
	Email      string `json:"email"`
	Message    string `json:"message,omitempty"`
	State      string `json:"state"`
	// Emailed: the claim link went to Email; otherwise the giver passes
	// it on (GiftLink).
	Emailed bool `json:"emailed"`
	// ClaimURL is a fresh claim link, given only by GiftLink.
	ClaimURL  string     `json:"claim_url,omitempty"`
	Receipt   string     `json:"receipt"` // the giver's receipt of the payment
	CreatedAt time.Time  `json:"created_at"`
	ClaimedAt *time.Time `json:"claimed_at,omitempty"`
}

// GiftOffer is what a claim link shows: the release and who gave it.
type GiftOffer struct {
	Release   Release `json:"release"`
	GiverName string  `json:"giver_name"`
	Message   string  `json:"message,omitempty"`
	State     string  `json:"state"`
}

// GiftService gives releases by email address; a gift is bought through
// CheckoutService with CheckoutCreate.Gift.
type GiftService interface {
	// Gifts lists the caller's gifts, newest first.
	Gifts(ctx context.Context) ([]Gift, error)
	// GiftLink makes a new claim link for one of the caller's gifts (the
	// earlier one stops working) on the platform at origin. ECONFLICT when
	// the link was emailed, or the gift is claimed or refunded; ENOTFOUND
	// for anyone else's.
	GiftLink(ctx context.Context, id int64, origin string) (*Gift, error)
	// GiftOffer shows what a claim token gives; ENOTFOUND for an unknown
	// token.
	GiftOffer(ctx context.Context, token string) (*GiftOffer, error)
	// ClaimGift makes the gift the caller's purchase. ECONFLICT when it
	// was claimed or refunded, when the caller owns the release already or
	// gave the gift; ENOTFOUND for an unknown token.
	ClaimGift(ctx context.Context, token string) (*Purchase, error)
}
