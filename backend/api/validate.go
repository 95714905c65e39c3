package api

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password length bounds: long enough to matter, short enough that hashing
// cannot be abused.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 1024
)

// Normalize trims the sign-up form's text.
func (in *AccountCreate) Normalize() {
	in.Email = strings.TrimSpace(in.Email)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
}

// Validate checks a normalized sign-up form; EINVALID names the field.
func (in *AccountCreate) Validate() error {
	if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email || len(in.Email) > 254 {
		return FieldErrorf("email", "enter a valid email address")
	}
	if err := CheckPassword(in.Password); err != nil {
		return err
	}
	return CheckName("display_name", in.DisplayName, MaxDisplayNameLen)
}

// CheckPassword: MinPasswordLen characters to MaxPasswordLen bytes.
func CheckPassword(pw string) error {
	if n := utf8.RuneCountInString(pw); n < MinPasswordLen || len(pw) > MaxPasswordLen {
		return FieldErrorf("password", "password must be %d to %d characters", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

// CheckIdempotencyKey: 1 to 255 printable ASCII characters.
func CheckIdempotencyKey(key string) error {
	if key == "" || len(key) > 255 || strings.IndexFunc(key, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsPrint(r) }) >= 0 {
		return &Error{Code: EINVALID, Field: "Idempotency-Key", Message: "send an Idempotency-Key header of 1 to 255 printable ASCII characters"}
	}
	return nil
}

// Normalize upper-cases the checkout's currency.
func (in *PurchaseCreate) Normalize() {
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
}

// CheckPayment is the rule for what a fan pays for a release: its
// currency, at least its price (or its minimum when the fan names the
// price), at most MaxPriceCents.
func (r *Release) CheckPayment(amountCents int64, currency string) error {
	switch {
	case currency != r.Currency:
		return FieldErrorf("currency", "this release is sold in %s", r.Currency)
	case amountCents > MaxPriceCents || amountCents < 0:
		return FieldErrorf("amount_cents", "must be between 0 and %s", FormatCents(MaxPriceCents, r.Currency))
	case r.PayWhatYouWant && amountCents < r.MinCents:
		return FieldErrorf("amount_cents", "pay at least %s", FormatCents(r.MinCents, r.Currency))
	case !r.PayWhatYouWant && amountCents < r.PriceCents:
		return FieldErrorf("amount_cents", "the price is %s", FormatCents(r.PriceCents, r.Currency))
	}
	return nil
}
