// Package stripe takes payments through Stripe Connect: hosted Checkout
// Sessions, destination charges for a sale with one payee, separate
// transfers for a sale with several, refunds that say what Stripe reversed,
// Express onboarding and the balance history for reconciliation.
//
//	one payee:      Checkout Session ── destination charge ──► payee
//	                  application_fee_amount = platform's share (Stripe's fee comes out of it)
//	several payees: Checkout Session ── charge (platform keeps it, transfer_group)
//	                  └─► Transfer per payee (source_transaction = the charge)
//
// Every Provider has its own Stripe client, so two providers (two keys, or a
// test server beside the real API) never share state.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
)

var _ payment.Provider = (*Provider)(nil)

// Checkout Sessions must expire between 30 minutes and 24 hours after they
// are created; a minute of margin on each side covers the request's trip.
const (
	minExpiry = 31 * time.Minute
	maxExpiry = 24*time.Hour - time.Minute
)

// Config configures a Provider.
type Config struct {
	SecretKey     string // sk_live_… or sk_test_…
	WebhookSecret string // the webhook endpoint's whsec_…
	// BackendURL replaces https://api.stripe.com (tests point it at
	// stripe-mock).
	BackendURL string
	// Tolerance is how old a signed webhook delivery may be;
	// payment.DefaultTolerance (5 minutes) when zero.
	Tolerance time.Duration
	// Country is where new Express accounts are opened when the request
	// names none (ISO 3166-1 alpha-2, e.g. "FR"); Stripe's platform
	// country when both are empty.
	Country string
}

// Provider is a payment.Provider over Stripe Connect.
type Provider struct {
	cfg    Config
	client *stripego.Client
}

// New returns a provider with its own Stripe client.
func New(cfg Config) *Provider {
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = payment.DefaultTolerance
	}
	bc := &stripego.BackendConfig{
		// Failures come back as errors and are logged by the caller.
		LeveledLogger: &stripego.LeveledLogger{Level: stripego.LevelNull},
	}
	if cfg.BackendURL != "" {
		bc.URL = stripego.String(cfg.BackendURL)
	}
	client := stripego.NewClient(cfg.SecretKey, stripego.WithBackends(stripego.NewBackendsWithConfig(bc)))
	return &Provider{cfg: cfg, client: client}
}

// Name identifies Stripe in the ledger.
func (p *Provider) Name() string { return "stripe" }

// CreateCheckout opens a Checkout Session for one purchase. With one payee
// it is a destination charge: the payee's account receives the charge and
// Stripe collects ApplicationFeeCents from it for the platform, which pays
// Stripe's processing fee out of that share. With several payees the
// platform keeps the charge, tagged with TransferGroup, and pays each payee
// by Transfer once the payment is confirmed.
func (p *Provider) CreateCheckout(ctx context.Context, r payment.CheckoutRequest) (*payment.Session, error) {
	params := &stripego.CheckoutSessionCreateParams{
		Mode:              stripego.String(string(stripego.CheckoutSessionModePayment)),
		ClientReferenceID: stripego.String(r.CheckoutID),
		SuccessURL:        stripego.String(r.SuccessURL),
		CancelURL:         stripego.String(r.CancelURL),
		LineItems: []*stripego.CheckoutSessionCreateLineItemParams{{
			Quantity: stripego.Int64(1),
			PriceData: &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripego.String(strings.ToLower(r.Currency)),
				UnitAmount:  stripego.Int64(r.AmountCents),
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripego.String(r.Description)},
			},
		}},
		// The fan pays in the release's currency: the ledger, the split
		// and the settlement are all in it.
		AdaptivePricing:   &stripego.CheckoutSessionCreateAdaptivePricingParams{Enabled: stripego.Bool(false)},
		PaymentIntentData: &stripego.CheckoutSessionCreatePaymentIntentDataParams{},
	}
	params.AddMetadata("checkout_id", r.CheckoutID)
	params.PaymentIntentData.AddMetadata("checkout_id", r.CheckoutID)
	if r.CustomerEmail != "" {
		params.CustomerEmail = stripego.String(r.CustomerEmail)
	}
	if !r.ExpiresAt.IsZero() {
		params.ExpiresAt = stripego.Int64(clampExpiry(r.ExpiresAt, time.Now()).Unix())
	}
	if len(r.Payees) == 1 {
		params.PaymentIntentData.ApplicationFeeAmount = stripego.Int64(r.ApplicationFeeCents)
		params.PaymentIntentData.TransferData = &stripego.CheckoutSessionCreatePaymentIntentDataTransferDataParams{
			Destination: stripego.String(r.Payees[0].AccountRef),
		}
	} else if r.TransferGroup != "" {
		params.PaymentIntentData.TransferGroup = stripego.String(r.TransferGroup)
	}
	setKey(&params.Params, r.IdempotencyKey)
	s, err := p.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return nil, convert("create checkout session", err)
	}
	return &payment.Session{Ref: s.ID, URL: s.URL}, nil
}

// clampExpiry moves an expiry into the window Stripe accepts.
func clampExpiry(at, now time.Time) time.Time {
	if lo := now.Add(minExpiry); at.Before(lo) {
		return lo
	}
	if hi := now.Add(maxExpiry); at.After(hi) {
		return hi
	}
	return at
}

// Settlement reads the charge behind a completed checkout and Stripe's fee
// on it, from the charge's balance transaction (the platform's: with a
// destination charge the platform pays the fee).
func (p *Provider) Settlement(ctx context.Context, e *payment.Event) (*payment.Settlement, error) {
	if e == nil || e.SessionRef == "" {
		return nil, errors.New("stripe settlement: the event names no checkout session")
	}
	params := &stripego.CheckoutSessionRetrieveParams{}
	params.AddExpand("payment_intent.latest_charge.balance_transaction")
	s, err := p.client.V1CheckoutSessions.Retrieve(ctx, e.SessionRef, params)
	if err != nil {
		return nil, convert("retrieve checkout session", err)
	}
	if s.PaymentIntent == nil || s.PaymentIntent.LatestCharge == nil {
		return nil, api.Errorf(api.ECONFLICT, "checkout session %s has no charge", e.SessionRef)
	}
	ch := s.PaymentIntent.LatestCharge
	if ch.BalanceTransaction == nil {
		return nil, api.Errorf(api.ECONFLICT, "charge %s has no balance transaction yet", ch.ID)
	}
	return &payment.Settlement{
		ChargeRef:   ch.ID,
		AmountCents: ch.Amount,
		Currency:    strings.ToUpper(string(ch.Currency)),
		FeeCents:    ch.BalanceTransaction.Fee,
		Country:     payerCountry(s, ch),
	}, nil
}

// Transfer pays a payee their part of a charge. source_transaction ties it
// to the charge, so it is paid from that charge's funds even before they
// are available in the platform's balance.
func (p *Provider) Transfer(ctx context.Context, r payment.TransferRequest) (string, error) {
	params := &stripego.TransferCreateParams{
		Amount:            stripego.Int64(r.Payee.Cents),
		Currency:          stripego.String(strings.ToLower(r.Currency)),
		Destination:       stripego.String(r.Payee.AccountRef),
		SourceTransaction: stripego.String(r.SourceChargeRef),
	}
	if r.TransferGroup != "" {
		params.TransferGroup = stripego.String(r.TransferGroup)
	}
	setKey(&params.Params, r.IdempotencyKey)
	t, err := p.client.V1Transfers.Create(ctx, params)
	if err != nil {
		return "", convert("create transfer", err)
	}
	return t.ID, nil
}

// Refund returns part of a charge and reports what Stripe reversed:
//
//   - AmountCents: the refund's amount.
//   - TransferReversed, destination charge: the refund's transfer_reversal
//     (expanded), which Stripe creates with reverse_transfer, in proportion
//     to the refund.
//   - TransferReversed, several payees: the sum of the transfer reversals
//     created here, one per TransferReversal.
//   - ApplicationFeeCents: the application fee refund Stripe creates with
//     refund_application_fee. A refund does not name it; it is the newest
//     entry of the charge's application_fee.refunds (expanded), created in
//     the same request as the refund. Idempotent retries get the first
//     response back unchanged, so a retry reports the same fee refund.
//     Refunds of one charge must not run concurrently for this to hold.
func (p *Provider) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundResult, error) {
	params := &stripego.RefundCreateParams{
		Charge: stripego.String(r.ChargeRef),
		Amount: stripego.Int64(r.AmountCents),
	}
	if r.ReverseTransfer {
		params.ReverseTransfer = stripego.Bool(true)
		params.AddExpand("transfer_reversal")
	}
	if r.RefundApplicationFee {
		params.RefundApplicationFee = stripego.Bool(true)
		params.AddExpand("charge.application_fee")
	}
	setKey(&params.Params, r.IdempotencyKey)
	re, err := p.client.V1Refunds.Create(ctx, params)
	if err != nil {
		return nil, convert("create refund", err)
	}
	res := &payment.RefundResult{Ref: re.ID, AmountCents: re.Amount}
	if re.TransferReversal != nil {
		res.TransferReversed = re.TransferReversal.Amount
	}
	if r.RefundApplicationFee {
		res.ApplicationFeeCents = feeRefunded(re)
	}
	for _, tr := range r.TransferReversals {
		cents, err := p.reverse(ctx, tr, reversalKey(r.IdempotencyKey, re.ID, tr.TransferRef))
		if err != nil {
			return nil, err
		}
		res.TransferReversed += cents
	}
	return res, nil
}

// reverse takes cents back from one transfer and returns what Stripe
// reversed.
func (p *Provider) reverse(ctx context.Context, tr payment.TransferReversal, key string) (int64, error) {
	params := &stripego.TransferReversalCreateParams{
		ID:     stripego.String(tr.TransferRef),
		Amount: stripego.Int64(tr.Cents),
	}
	setKey(&params.Params, key)
	rev, err := p.client.V1TransferReversals.Create(ctx, params)
	if err != nil {
		return 0, convert("reverse transfer "+tr.TransferRef, err)
	}
	return rev.Amount, nil
}

// reversalKey derives a transfer reversal's idempotency key from its
// refund's, so a retried refund reverses each transfer once.
func reversalKey(refundKey, refundRef, transferRef string) string {
	if refundKey == "" {
		refundKey = refundRef
	}
	return refundKey + "/reversal/" + transferRef
}

// feeRefunded is the application fee refund created with a refund: the
// newest fee refund of its charge's application fee, if it is no older
// than the refund.
func feeRefunded(re *stripego.Refund) int64 {
	if re.Charge == nil || re.Charge.ApplicationFee == nil || re.Charge.ApplicationFee.Refunds == nil {
		return 0
	}
	var newest *stripego.FeeRefund
	for _, fr := range re.Charge.ApplicationFee.Refunds.Data {
		if fr != nil && fr.Created >= re.Created && (newest == nil || fr.Created > newest.Created) {
			newest = fr
		}
	}
	if newest == nil {
		return 0
	}
	return newest.Amount
}

// ParseWebhook verifies a delivery to the Stripe webhook endpoint.
func (p *Provider) ParseWebhook(payload []byte, signatureHeader string) (*payment.Event, error) {
	return payment.ParseStripeEvent(payload, signatureHeader, p.cfg.WebhookSecret, p.cfg.Tolerance)
}

// Onboard opens an Express account for a creator who has none, then
// returns a fresh Account Link (links are single-use and short-lived) where
// they complete it.
func (p *Provider) Onboard(ctx context.Context, r payment.OnboardRequest) (*payment.Onboarding, error) {
	ref := r.AccountRef
	if ref == "" {
		var err error
		if ref, err = p.createAccount(ctx, r); err != nil {
			return nil, err
		}
	}
	link, err := p.client.V1AccountLinks.Create(ctx, &stripego.AccountLinkCreateParams{
		Account:    stripego.String(ref),
		Type:       stripego.String(string(stripego.AccountLinkTypeAccountOnboarding)),
		RefreshURL: stripego.String(r.RefreshURL),
		ReturnURL:  stripego.String(r.ReturnURL),
	})
	if err != nil {
		return nil, convert("create account link", err)
	}
	return &payment.Onboarding{AccountRef: ref, URL: link.URL}, nil
}

func (p *Provider) createAccount(ctx context.Context, r payment.OnboardRequest) (string, error) {
	params := &stripego.AccountCreateParams{
		Type: stripego.String(string(stripego.AccountTypeExpress)),
		Capabilities: &stripego.AccountCreateCapabilitiesParams{
			CardPayments: &stripego.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripego.Bool(true)},
			Transfers:    &stripego.AccountCreateCapabilitiesTransfersParams{Requested: stripego.Bool(true)},
		},
	}
	if c := cmpOr(r.Country, p.cfg.Country); c != "" {
		params.Country = stripego.String(strings.ToUpper(c))
	}
	if r.Email != "" {
		params.Email = stripego.String(r.Email)
	}
	if r.IdempotencyKey != "" {
		params.SetIdempotencyKey(r.IdempotencyKey)
	}
	a, err := p.client.V1Accounts.Create(ctx, params)
	if err != nil {
		return "", convert("create account", err)
	}
	return a.ID, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// BalanceTransactions lists the platform balance's movements created at
// or after since, every page, oldest first (Stripe lists newest first).
func (p *Provider) BalanceTransactions(ctx context.Context, since time.Time) ([]payment.BalanceTxn, error) {
	params := &stripego.BalanceTransactionListParams{
		CreatedRange: &stripego.RangeQueryParams{GreaterThanOrEqual: since.Unix()},
	}
	params.Limit = stripego.Int64(100)
	var out []payment.BalanceTxn
	for bt, err := range p.client.V1BalanceTransactions.List(ctx, params) {
		if err != nil {
			return nil, convert("list balance transactions", err)
		}
		out = append(out, balanceTxn(bt))
	}
	slices.Reverse(out)
	return out, nil
}

func balanceTxn(bt *stripego.BalanceTransaction) payment.BalanceTxn {
	t := payment.BalanceTxn{
		Ref:         bt.ID,
		Type:        string(bt.Type),
		AmountCents: bt.Amount,
		FeeCents:    bt.Fee,
		Currency:    strings.ToUpper(string(bt.Currency)),
		Created:     time.Unix(bt.Created, 0).UTC(),
	}
	if bt.Source != nil {
		t.SourceRef = bt.Source.ID
	}
	return t
}

// setKey sets a request's idempotency key; without one stripe-go makes
// its own, which covers only its own retries.
func setKey(p *stripego.Params, key string) {
	if key != "" {
		p.SetIdempotencyKey(key)
	}
}

// userFields names, for the parameters a user's input fills, the field of
// our API at fault when Stripe refuses them.
var userFields = map[string]string{
	"customer_email":                         "email",
	"email":                                  "email",
	"country":                                "country",
	"line_items[0][price_data][unit_amount]": "amount_cents",
	"line_items[0][price_data][currency]":    "currency",
	"amount":                                 "amount_cents",
}

// convert turns a Stripe failure into an error with a code:
//
//	card_error                       → EPAYMENT (Stripe's message is for the payer)
//	invalid_request_error            → EINVALID, Field set when a user's input is at fault;
//	                                   ECONFLICT when the charge's state forbids it
//	idempotency_error                → EIDEMPOTENCY
//	rate limited, api_error, network → EUNAVAILABLE
//	anything else (bad key, …)       → wrapped, internal
func convert(op string, err error) error {
	var se *stripego.Error
	if errors.As(err, &se) {
		if ae := apiError(se); ae != nil {
			return fmt.Errorf("stripe %s: %w (stripe: %s %s, request %s)", op, ae, se.Type, se.Code, se.RequestID)
		}
		return fmt.Errorf("stripe %s: %w", op, err)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("stripe %s: %w", op, err)
	}
	var ue *url.Error
	var ne net.Error
	if errors.As(err, &ue) || errors.As(err, &ne) {
		return fmt.Errorf("stripe %s: %w (%v)", op, api.Errorf(api.EUNAVAILABLE, "the payment provider cannot be reached"), err)
	}
	return fmt.Errorf("stripe %s: %w", op, err)
}

// apiError is the application error for a Stripe API error, nil when
// the fault is the platform's own (its key, its account).
func apiError(se *stripego.Error) *api.Error {
	switch {
	case se.Type == stripego.ErrorTypeCard:
		return api.Errorf(api.EPAYMENT, "%s", cmpOr(se.Msg, "the card was declined"))
	case se.Type == stripego.ErrorTypeIdempotency:
		return api.Errorf(api.EIDEMPOTENCY, "%s", se.Msg)
	case se.HTTPStatusCode == 429 || se.HTTPStatusCode >= 500 || se.Type == stripego.ErrorTypeAPI:
		return api.Errorf(api.EUNAVAILABLE, "the payment provider is unavailable; retry in a moment")
	case se.Type != stripego.ErrorTypeInvalidRequest || se.HTTPStatusCode == 401 || se.HTTPStatusCode == 403:
		return nil
	case se.Code == stripego.ErrorCodeChargeAlreadyRefunded || se.Code == stripego.ErrorCodeChargeDisputed:
		return api.Errorf(api.ECONFLICT, "%s", se.Msg)
	}
	e := api.Errorf(api.EINVALID, "%s", cmpOr(se.Msg, "the payment provider refused the request"))
	e.Field = userFields[se.Param]
	return e
}

// payerCountry is where the payer of a checkout is: the address the
// session collected, else the card's billing address; "" when neither
// says.
func payerCountry(s *stripego.CheckoutSession, ch *stripego.Charge) string {
	if s.CustomerDetails != nil && s.CustomerDetails.Address != nil {
		if c := payment.CountryCode(s.CustomerDetails.Address.Country); c != "" {
			return c
		}
	}
	if ch.BillingDetails != nil && ch.BillingDetails.Address != nil {
		return payment.CountryCode(ch.BillingDetails.Address.Country)
	}
	return ""
}
