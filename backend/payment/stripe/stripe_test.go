package stripe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
)

func newProvider(t *testing.T) (*Provider, *recorder) {
	t.Helper()
	rec := newRecorder(t)
	p := New(Config{SecretKey: "sk_test_megabox", WebhookSecret: "whsec_test", BackendURL: rec.URL, Country: "FR"})
	return p, rec
}

// sameForm reports every parameter that differs from want, ignoring the
// names in skip.
func sameForm(t *testing.T, what string, got, want url.Values, skip ...string) {
	t.Helper()
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	var diffs []string
	for k := range keys {
		if slices.Contains(skip, k) {
			continue
		}
		if g, w := strings.Join(got[k], ","), strings.Join(want[k], ","); g != w || len(got[k]) != len(want[k]) {
			diffs = append(diffs, fmt.Sprintf("%s = %q, want %q", k, got[k], want[k]))
		}
	}
	sort.Strings(diffs)
	for _, d := range diffs {
		t.Errorf("%s: %s", what, d)
	}
}

func str(m map[string]any, path ...string) string {
	v := dig(m, path...)
	s, _ := v.(string)
	return s
}

func num(m map[string]any, path ...string) int64 {
	f, _ := dig(m, path...).(float64)
	return int64(f)
}

func dig(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

func checkCall(t *testing.T, c call, method, path, key string) {
	t.Helper()
	if c.Method != method || c.Path != path {
		t.Errorf("request = %s %s, want %s %s", c.Method, c.Path, method, path)
	}
	if c.Key != key {
		t.Errorf("%s %s: Idempotency-Key = %q, want %q", c.Method, c.Path, c.Key, key)
	}
}

// expiresAt reads a checkout's expires_at and checks it lies within
// [lo, hi] (Unix seconds).
func expiresAt(t *testing.T, form url.Values, lo, hi time.Time) {
	t.Helper()
	got, err := strconv.ParseInt(form.Get("expires_at"), 10, 64)
	if err != nil {
		t.Fatalf("expires_at = %q: %v", form.Get("expires_at"), err)
	}
	if got < lo.Unix() || got > hi.Unix() {
		t.Errorf("expires_at = %s, want between %s and %s", time.Unix(got, 0).UTC(), lo.UTC(), hi.UTC())
	}
}

func checkoutRequest() payment.CheckoutRequest {
	return payment.CheckoutRequest{
		CheckoutID:          "chk_41",
		IdempotencyKey:      "checkout-41",
		AmountCents:         1000,
		Currency:            "EUR",
		Description:         "Night Drives",
		CustomerEmail:       "fan@example.com",
		ApplicationFeeCents: 100,
		Payees:              []payment.Payee{{AccountRef: "acct_creator", Cents: 900}},
		TransferGroup:       "sale_41",
		SuccessURL:          "https://megabox.example/checkout/chk_41/done",
		CancelURL:           "https://megabox.example/checkout/chk_41/cancel",
	}
}

// checkoutForm is what every checkout sends, whatever its payees.
func checkoutForm() url.Values {
	return url.Values{
		"mode":                                   {"payment"},
		"client_reference_id":                    {"chk_41"},
		"customer_email":                         {"fan@example.com"},
		"success_url":                            {"https://megabox.example/checkout/chk_41/done"},
		"cancel_url":                             {"https://megabox.example/checkout/chk_41/cancel"},
		"line_items[0][quantity]":                {"1"},
		"line_items[0][price_data][currency]":    {"eur"},
		"line_items[0][price_data][unit_amount]": {"1000"},
		"line_items[0][price_data][product_data][name]": {"Night Drives"},
		"adaptive_pricing[enabled]":                     {"false"},
		"metadata[checkout_id]":                         {"chk_41"},
		"payment_intent_data[metadata][checkout_id]":    {"chk_41"},
	}
}

func TestCheckoutOnePayeeIsADestinationCharge(t *testing.T) {
	p, rec := newProvider(t)
	r := checkoutRequest()
	before := time.Now()
	r.ExpiresAt = before.Add(10 * time.Minute) // sooner than Stripe accepts
	s, err := p.CreateCheckout(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	calls := rec.Calls(t)
	if len(calls) != 1 {
		t.Fatalf("%d requests, want 1", len(calls))
	}
	c := calls[0]
	checkCall(t, c, "POST", "/v1/checkout/sessions", "checkout-41")
	want := checkoutForm()
	want.Set("payment_intent_data[application_fee_amount]", "100")
	want.Set("payment_intent_data[transfer_data][destination]", "acct_creator")
	sameForm(t, "checkout", c.Form, want, "expires_at")
	expiresAt(t, c.Form, before.Add(31*time.Minute).Truncate(time.Second), after.Add(31*time.Minute))

	f := c.fixture(t)
	if s.Ref != str(f, "id") || !strings.HasPrefix(s.Ref, "cs_") {
		t.Errorf("Ref = %q, want the session's id %q", s.Ref, str(f, "id"))
	}
	if s.URL != str(f, "url") || !strings.HasPrefix(s.URL, "https://checkout.stripe.com/") {
		t.Errorf("URL = %q, want the session's url %q", s.URL, str(f, "url"))
	}
}

func TestCheckoutSeveralPayeesIsOneChargeWithATransferGroup(t *testing.T) {
	p, rec := newProvider(t)
	r := checkoutRequest()
	r.Payees = []payment.Payee{{AccountRef: "acct_a", Cents: 450}, {AccountRef: "acct_b", Cents: 300}, {AccountRef: "acct_c", Cents: 150}}
	before := time.Now()
	r.ExpiresAt = before.Add(48 * time.Hour) // later than Stripe accepts
	if _, err := p.CreateCheckout(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	c := rec.Calls(t)[0]
	checkCall(t, c, "POST", "/v1/checkout/sessions", "checkout-41")
	want := checkoutForm()
	want.Set("payment_intent_data[transfer_group]", "sale_41")
	// No application_fee_amount, no transfer_data: the platform keeps the
	// charge and pays each payee by transfer.
	sameForm(t, "checkout", c.Form, want, "expires_at")
	expiresAt(t, c.Form, before.Add(24*time.Hour-time.Minute).Truncate(time.Second), after.Add(24*time.Hour-time.Minute))
}

func TestCheckoutExpiryWithinStripesWindowIsKept(t *testing.T) {
	p, rec := newProvider(t)
	r := checkoutRequest()
	r.ExpiresAt = time.Now().Add(2 * time.Hour)
	if _, err := p.CreateCheckout(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.Calls(t)[0].Form.Get("expires_at"), strconv.FormatInt(r.ExpiresAt.Unix(), 10); got != want {
		t.Errorf("expires_at = %s, want %s", got, want)
	}

	r.ExpiresAt = time.Time{}
	if _, err := p.CreateCheckout(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if f := rec.Calls(t)[1].Form; f.Has("expires_at") {
		t.Errorf("expires_at = %q with no expiry asked, want none (Stripe's 24 hours)", f.Get("expires_at"))
	}
}

func TestSettlementReadsTheChargeAndStripesFee(t *testing.T) {
	p, rec := newProvider(t)
	// stripe-mock's balance transaction fixture has no fee: give it one.
	rec.rewriteResponse = func(_ int, _ call, body map[string]any) {
		if bt, ok := dig(body, "payment_intent", "latest_charge", "balance_transaction").(map[string]any); ok {
			bt["fee"] = 59.0
		}
	}
	e := &payment.Event{Kind: payment.EventCheckoutCompleted, SessionRef: "cs_test_41", AmountCents: 100, Currency: "USD"}
	got, err := p.Settlement(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls(t)
	if len(calls) != 1 {
		t.Fatalf("%d requests, want 1", len(calls))
	}
	c := calls[0]
	checkCall(t, c, "GET", "/v1/checkout/sessions/cs_test_41", "")
	sameForm(t, "retrieve query", c.Query, url.Values{"expand[0]": {"payment_intent.latest_charge.balance_transaction"}})

	ch := dig(c.fixture(t), "payment_intent", "latest_charge").(map[string]any)
	want := payment.Settlement{
		ChargeRef:   str(ch, "id"),
		AmountCents: num(ch, "amount"),
		Currency:    strings.ToUpper(str(ch, "currency")),
		FeeCents:    59,
	}
	if *got != want || !strings.HasPrefix(got.ChargeRef, "ch_") || got.AmountCents == 0 {
		t.Errorf("settlement = %+v, want %+v (stripe-mock's charge)", *got, want)
	}
}

func TestSettlementOfAnUnpaidSessionIsAConflict(t *testing.T) {
	p, rec := newProvider(t)
	rec.rewriteResponse = func(_ int, _ call, body map[string]any) { body["payment_intent"] = nil }
	_, err := p.Settlement(context.Background(), &payment.Event{SessionRef: "cs_test_41"})
	if api.ErrorCode(err) != api.ECONFLICT {
		t.Errorf("error = %v (%s), want %s", err, api.ErrorCode(err), api.ECONFLICT)
	}
}

func TestTransferPaysAPayeeFromTheCharge(t *testing.T) {
	p, rec := newProvider(t)
	ref, err := p.Transfer(context.Background(), payment.TransferRequest{
		IdempotencyKey:  "sale_41/transfer/acct_b",
		Payee:           payment.Payee{AccountRef: "acct_b", Cents: 300},
		Currency:        "EUR",
		SourceChargeRef: "ch_41",
		TransferGroup:   "sale_41",
	})
	if err != nil {
		t.Fatal(err)
	}
	c := rec.Calls(t)[0]
	checkCall(t, c, "POST", "/v1/transfers", "sale_41/transfer/acct_b")
	sameForm(t, "transfer", c.Form, url.Values{
		"amount":             {"300"},
		"currency":           {"eur"},
		"destination":        {"acct_b"},
		"source_transaction": {"ch_41"},
		"transfer_group":     {"sale_41"},
	})
	if want := str(c.fixture(t), "id"); ref != want || !strings.HasPrefix(ref, "tr_") {
		t.Errorf("transfer = %q, want %q", ref, want)
	}
}

func TestRefundOfADestinationChargeReversesTheTransferAndTheFee(t *testing.T) {
	p, rec := newProvider(t)
	res, err := p.Refund(context.Background(), payment.RefundRequest{
		IdempotencyKey:       "refund-7",
		ChargeRef:            "ch_41",
		AmountCents:          500,
		ReverseTransfer:      true,
		RefundApplicationFee: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls(t)
	if len(calls) != 1 {
		t.Fatalf("%d requests, want 1", len(calls))
	}
	c := calls[0]
	checkCall(t, c, "POST", "/v1/refunds", "refund-7")
	sameForm(t, "refund", c.Form, url.Values{
		"charge":                 {"ch_41"},
		"amount":                 {"500"},
		"reverse_transfer":       {"true"},
		"refund_application_fee": {"true"},
		"expand[0]":              {"transfer_reversal"},
		"expand[1]":              {"charge.application_fee"},
	})
	f := c.fixture(t)
	want := payment.RefundResult{
		Ref:              str(f, "id"),
		AmountCents:      num(f, "amount"),
		TransferReversed: num(f, "transfer_reversal", "amount"),
		// stripe-mock leaves the charge unexpanded: no fee refund to read.
		ApplicationFeeCents: 0,
	}
	if *res != want || res.TransferReversed == 0 || res.AmountCents != 500 {
		t.Errorf("refund = %+v, want %+v (stripe-mock's refund)", *res, want)
	}
}

func TestRefundReportsTheApplicationFeeRefundCreatedWithIt(t *testing.T) {
	p, rec := newProvider(t)
	// A refund as Stripe answers it with charge.application_fee expanded:
	// the fee's refunds, newest first; the newest was made with this refund.
	rec.rewriteResponse = func(_ int, _ call, body map[string]any) {
		created := body["created"].(float64)
		body["charge"] = map[string]any{
			"id": "ch_41", "object": "charge",
			"application_fee": map[string]any{
				"id": "fee_41", "object": "application_fee", "amount": 100.0, "amount_refunded": 80.0,
				"refunds": map[string]any{"object": "list", "has_more": false, "data": []any{
					map[string]any{"id": "fr_2", "object": "fee_refund", "amount": 50.0, "created": created},
					map[string]any{"id": "fr_1", "object": "fee_refund", "amount": 30.0, "created": created - 3600},
				}},
			},
		}
	}
	res, err := p.Refund(context.Background(), payment.RefundRequest{
		IdempotencyKey: "refund-8", ChargeRef: "ch_41", AmountCents: 500, ReverseTransfer: true, RefundApplicationFee: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ApplicationFeeCents != 50 {
		t.Errorf("ApplicationFeeCents = %d, want 50 (the fee refund made with this refund)", res.ApplicationFeeCents)
	}

	// An earlier refund's fee refund is not this one's.
	rec.rewriteResponse = func(_ int, _ call, body map[string]any) {
		body["charge"] = map[string]any{"id": "ch_41", "object": "charge", "application_fee": map[string]any{
			"id": "fee_41", "object": "application_fee", "refunds": map[string]any{"object": "list", "data": []any{
				map[string]any{"id": "fr_1", "object": "fee_refund", "amount": 30.0, "created": body["created"].(float64) - 1},
			}},
		}}
	}
	if res, err = p.Refund(context.Background(), payment.RefundRequest{IdempotencyKey: "refund-9", ChargeRef: "ch_41", AmountCents: 500, RefundApplicationFee: true}); err != nil {
		t.Fatal(err)
	}
	if res.ApplicationFeeCents != 0 {
		t.Errorf("ApplicationFeeCents = %d, want 0 (no fee refund made with this refund)", res.ApplicationFeeCents)
	}
}

func TestRefundWithSeveralPayeesReversesEachTransfer(t *testing.T) {
	p, rec := newProvider(t)
	res, err := p.Refund(context.Background(), payment.RefundRequest{
		IdempotencyKey: "refund-12",
		ChargeRef:      "ch_42",
		AmountCents:    600,
		TransferReversals: []payment.TransferReversal{
			{TransferRef: "tr_a", Cents: 300},
			{TransferRef: "tr_b", Cents: 240},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls(t)
	if len(calls) != 3 {
		t.Fatalf("%d requests, want 3 (a refund, two reversals)", len(calls))
	}
	checkCall(t, calls[0], "POST", "/v1/refunds", "refund-12")
	sameForm(t, "refund", calls[0].Form, url.Values{"charge": {"ch_42"}, "amount": {"600"}})
	checkCall(t, calls[1], "POST", "/v1/transfers/tr_a/reversals", "refund-12/reversal/tr_a")
	sameForm(t, "reversal a", calls[1].Form, url.Values{"amount": {"300"}})
	checkCall(t, calls[2], "POST", "/v1/transfers/tr_b/reversals", "refund-12/reversal/tr_b")
	sameForm(t, "reversal b", calls[2].Form, url.Values{"amount": {"240"}})

	f := calls[0].fixture(t)
	want := payment.RefundResult{
		Ref:              str(f, "id"),
		AmountCents:      num(f, "amount"),
		TransferReversed: num(calls[1].fixture(t), "amount") + num(calls[2].fixture(t), "amount"),
	}
	if *res != want || res.TransferReversed != 540 {
		t.Errorf("refund = %+v, want %+v (stripe-mock's refund and reversals)", *res, want)
	}
}

func TestOnboardANewCreatorOpensAnExpressAccount(t *testing.T) {
	p, rec := newProvider(t)
	o, err := p.Onboard(context.Background(), payment.OnboardRequest{
		IdempotencyKey: "onboard:7",
		Email:          "creator@example.com",
		ReturnURL:      "https://megabox.example/onboarding/done",
		RefreshURL:     "https://megabox.example/onboarding/again",
	})
	if err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls(t)
	if len(calls) != 2 {
		t.Fatalf("%d requests, want 2 (an account, a link)", len(calls))
	}
	checkCall(t, calls[0], "POST", "/v1/accounts", "onboard:7") // a retried first onboarding is one account
	sameForm(t, "account", calls[0].Form, url.Values{
		"type":                                   {"express"},
		"country":                                {"FR"},
		"email":                                  {"creator@example.com"},
		"capabilities[card_payments][requested]": {"true"},
		"capabilities[transfers][requested]":     {"true"},
	})
	account := str(calls[0].fixture(t), "id")
	checkCall(t, calls[1], "POST", "/v1/account_links", calls[1].Key)
	sameForm(t, "account link", calls[1].Form, url.Values{
		"account":     {account},
		"type":        {"account_onboarding"},
		"return_url":  {"https://megabox.example/onboarding/done"},
		"refresh_url": {"https://megabox.example/onboarding/again"},
	})
	want := payment.Onboarding{AccountRef: account, URL: str(calls[1].fixture(t), "url")}
	if *o != want || !strings.HasPrefix(o.AccountRef, "acct_") || o.URL == "" {
		t.Errorf("onboarding = %+v, want %+v", *o, want)
	}
}

func TestOnboardAnOnboardingCreatorGetsOnlyANewLink(t *testing.T) {
	p, rec := newProvider(t)
	o, err := p.Onboard(context.Background(), payment.OnboardRequest{
		AccountRef: "acct_existing", Country: "de",
		ReturnURL: "https://megabox.example/r", RefreshURL: "https://megabox.example/f",
	})
	if err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls(t)
	if len(calls) != 1 {
		t.Fatalf("%d requests, want 1 (a link)", len(calls))
	}
	checkCall(t, calls[0], "POST", "/v1/account_links", calls[0].Key)
	sameForm(t, "account link", calls[0].Form, url.Values{
		"account": {"acct_existing"}, "type": {"account_onboarding"},
		"return_url": {"https://megabox.example/r"}, "refresh_url": {"https://megabox.example/f"},
	})
	if o.AccountRef != "acct_existing" || o.URL != str(calls[0].fixture(t), "url") {
		t.Errorf("onboarding = %+v", *o)
	}
}

func TestOnboardCountryOfTheRequestWins(t *testing.T) {
	p, rec := newProvider(t)
	if _, err := p.Onboard(context.Background(), payment.OnboardRequest{Country: "de", ReturnURL: "https://x/r", RefreshURL: "https://x/f"}); err != nil {
		t.Fatal(err)
	}
	if got := rec.Calls(t)[0].Form; got.Get("country") != "DE" || got.Has("email") {
		t.Errorf("account form = %v, want country DE and no email", got)
	}
}

func TestBalanceTransactionsEveryPageOldestFirst(t *testing.T) {
	p, rec := newProvider(t)
	since := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	// stripe-mock has one page of one fixture; Stripe lists newest first
	// over as many pages as there are.
	rec.rewriteResponse = func(n int, _ call, body map[string]any) {
		txn := func(id, typ, source string, amount, fee float64, created int64) map[string]any {
			return map[string]any{"id": id, "object": "balance_transaction", "type": typ, "source": source,
				"amount": amount, "fee": fee, "currency": "eur", "created": float64(created)}
		}
		switch n {
		case 0:
			body["data"] = []any{
				txn("txn_3", "refund", "re_1", -500, 0, since.Unix()+300),
				txn("txn_2", "transfer", "tr_1", -300, 0, since.Unix()+200),
			}
			body["has_more"] = true
		case 1:
			body["data"] = []any{txn("txn_1", "charge", "ch_1", 1000, 59, since.Unix()+100)}
			body["has_more"] = false
		}
	}
	got, err := p.BalanceTransactions(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls(t)
	if len(calls) != 2 {
		t.Fatalf("%d requests, want 2 (two pages)", len(calls))
	}
	first := url.Values{"created[gte]": {strconv.FormatInt(since.Unix(), 10)}, "limit": {"100"}}
	checkCall(t, calls[0], "GET", "/v1/balance_transactions", "")
	sameForm(t, "first page", calls[0].Query, first)
	checkCall(t, calls[1], "GET", "/v1/balance_transactions", "")
	first.Set("starting_after", "txn_2")
	sameForm(t, "second page", calls[1].Query, first)

	want := []payment.BalanceTxn{
		{Ref: "txn_1", Type: "charge", SourceRef: "ch_1", AmountCents: 1000, FeeCents: 59, Currency: "EUR", Created: since.Add(100 * time.Second)},
		{Ref: "txn_2", Type: "transfer", SourceRef: "tr_1", AmountCents: -300, Currency: "EUR", Created: since.Add(200 * time.Second)},
		{Ref: "txn_3", Type: "refund", SourceRef: "re_1", AmountCents: -500, Currency: "EUR", Created: since.Add(300 * time.Second)},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("balance transactions =\n%v\nwant\n%v", got, want)
	}
}

func TestBalanceTransactionsReadsStripeMocksFixture(t *testing.T) {
	p, rec := newProvider(t)
	got, err := p.BalanceTransactions(context.Background(), time.Unix(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	c := rec.Calls(t)[0]
	sameForm(t, "list", c.Query, url.Values{"created[gte]": {"1000"}, "limit": {"100"}})
	data := dig(c.fixture(t), "data").([]any)
	if len(got) != len(data) || len(got) == 0 {
		t.Fatalf("%d transactions, want %d", len(got), len(data))
	}
	f := data[len(data)-1].(map[string]any)
	want := payment.BalanceTxn{
		Ref: str(f, "id"), Type: str(f, "type"), SourceRef: str(f, "source"),
		AmountCents: num(f, "amount"), FeeCents: num(f, "fee"),
		Currency: strings.ToUpper(str(f, "currency")), Created: time.Unix(num(f, "created"), 0).UTC(),
	}
	if got[0] != want || want.Ref == "" || want.SourceRef == "" || want.Currency == "" {
		t.Errorf("transaction = %+v, want %+v", got[0], want)
	}
}

func TestProvidersKeepTheirOwnKeys(t *testing.T) {
	rec := newRecorder(t)
	a := New(Config{SecretKey: "sk_test_a", BackendURL: rec.URL})
	b := New(Config{SecretKey: "sk_test_b", BackendURL: rec.URL})
	ctx := context.Background()
	if _, err := a.Transfer(ctx, payment.TransferRequest{Payee: payment.Payee{AccountRef: "acct_1", Cents: 1}, Currency: "EUR", SourceChargeRef: "ch_1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Transfer(ctx, payment.TransferRequest{Payee: payment.Payee{AccountRef: "acct_1", Cents: 1}, Currency: "EUR", SourceChargeRef: "ch_1"}); err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls(t)
	if calls[0].Auth != "Bearer sk_test_a" || calls[1].Auth != "Bearer sk_test_b" {
		t.Errorf("Authorization = %q, %q; want each provider's own key", calls[0].Auth, calls[1].Auth)
	}
	if a.Name() != "stripe" {
		t.Errorf("Name = %q", a.Name())
	}
}

func TestStripeMockRefusalIsInvalid(t *testing.T) {
	p, rec := newProvider(t)
	// Our requests are well-formed; spoil one on its way so that
	// stripe-mock refuses it as Stripe would (400, invalid_request_error).
	rec.rewriteRequest = func(form url.Values) { form.Set("amount", "five") }
	_, err := p.Refund(context.Background(), payment.RefundRequest{IdempotencyKey: "refund-x", ChargeRef: "ch_41", AmountCents: 500})
	if api.ErrorCode(err) != api.EINVALID {
		t.Fatalf("error = %v (%s), want %s", err, api.ErrorCode(err), api.EINVALID)
	}
	rec.mu.Lock()
	status := rec.calls[0].Status
	rec.mu.Unlock()
	if status != 400 {
		t.Errorf("stripe-mock answered %d, want 400", status)
	}
	if !strings.Contains(api.ErrorMessage(err), "amount") {
		t.Errorf("message = %q, want Stripe's reason", api.ErrorMessage(err))
	}
}

func TestStripeErrorsGetCodes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		code      string
		field     string
		wantInner bool // the original error stays reachable
	}{
		{"card declined", &stripego.Error{Type: stripego.ErrorTypeCard, Code: stripego.ErrorCodeCardDeclined, Msg: "Your card was declined.", HTTPStatusCode: 402}, api.EPAYMENT, "", false},
		{"bad email", &stripego.Error{Type: stripego.ErrorTypeInvalidRequest, Param: "customer_email", Msg: "Invalid email address", HTTPStatusCode: 400}, api.EINVALID, "email", false},
		{"amount too small", &stripego.Error{Type: stripego.ErrorTypeInvalidRequest, Code: stripego.ErrorCodeAmountTooSmall, Param: "line_items[0][price_data][unit_amount]", HTTPStatusCode: 400}, api.EINVALID, "amount_cents", false},
		{"our own parameter", &stripego.Error{Type: stripego.ErrorTypeInvalidRequest, Param: "payment_intent_data[transfer_data][destination]", HTTPStatusCode: 400}, api.EINVALID, "", false},
		{"already refunded", &stripego.Error{Type: stripego.ErrorTypeInvalidRequest, Code: stripego.ErrorCodeChargeAlreadyRefunded, HTTPStatusCode: 400}, api.ECONFLICT, "", false},
		{"key reused", &stripego.Error{Type: stripego.ErrorTypeIdempotency, HTTPStatusCode: 400}, api.EIDEMPOTENCY, "", false},
		{"rate limited", &stripego.Error{Type: stripego.ErrorTypeInvalidRequest, Code: stripego.ErrorCodeRateLimit, HTTPStatusCode: 429}, api.EUNAVAILABLE, "", false},
		{"stripe down", &stripego.Error{Type: stripego.ErrorTypeAPI, HTTPStatusCode: 500}, api.EUNAVAILABLE, "", false},
		{"bad key", &stripego.Error{Type: stripego.ErrorTypeInvalidRequest, HTTPStatusCode: 401, Msg: "Invalid API Key provided"}, api.EINTERNAL, "", true},
		{"network", &url.Error{Op: "Post", URL: "https://api.stripe.com/v1/refunds", Err: errors.New("connection refused")}, api.EUNAVAILABLE, "", false},
		{"cancelled", &url.Error{Op: "Post", URL: "https://api.stripe.com/v1/refunds", Err: context.Canceled}, api.EINTERNAL, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := convert("create refund", tc.err)
			if got := api.ErrorCode(err); got != tc.code {
				t.Errorf("code = %s, want %s (%v)", got, tc.code, err)
			}
			if got := api.ErrorField(err); got != tc.field {
				t.Errorf("field = %q, want %q", got, tc.field)
			}
			if tc.wantInner && !errors.Is(err, tc.err) {
				t.Errorf("%v does not wrap %v", err, tc.err)
			}
			if !strings.Contains(err.Error(), "stripe create refund") {
				t.Errorf("error %q does not say what failed", err)
			}
		})
	}
}

func TestCardErrorFromStripeIsAPaymentError(t *testing.T) {
	// stripe-mock never declines: answer as Stripe does when a card is.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusPaymentRequired)
		io.WriteString(w, `{"error":{"type":"card_error","code":"card_declined","decline_code":"generic_decline","message":"Your card was declined."}}`)
	}))
	defer srv.Close()
	p := New(Config{SecretKey: "sk_test_megabox", BackendURL: srv.URL})
	_, err := p.Refund(context.Background(), payment.RefundRequest{ChargeRef: "ch_41", AmountCents: 500})
	if api.ErrorCode(err) != api.EPAYMENT || api.ErrorMessage(err) != "Your card was declined." {
		t.Errorf("error = %v (%s: %q), want %s with Stripe's message", err, api.ErrorCode(err), api.ErrorMessage(err), api.EPAYMENT)
	}
}

func TestWebhookSignatureAndAge(t *testing.T) {
	p := New(Config{SecretKey: "sk_test_megabox", WebhookSecret: "whsec_test", Tolerance: time.Hour})
	session := map[string]any{"id": "cs_test_41", "object": "checkout.session", "client_reference_id": "chk_41",
		"amount_total": 1000, "currency": "eur", "payment_status": "paid"}
	sign := func(secret string, at time.Time) ([]byte, string) {
		payload, header, err := payment.SignStripeEvent("evt_41", payment.EventCheckoutCompleted, session, secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return payload, header
	}

	payload, header := sign("whsec_test", time.Now().Add(-30*time.Minute)) // within this provider's hour
	e, err := p.ParseWebhook(payload, header)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != "evt_41" || e.Kind != payment.EventCheckoutCompleted || e.SessionRef != "cs_test_41" || e.CheckoutID != "chk_41" || e.AmountCents != 1000 || e.Currency != "EUR" {
		t.Errorf("event = %+v", *e)
	}

	payload, header = sign("whsec_other", time.Now())
	if _, err := p.ParseWebhook(payload, header); !errors.Is(err, payment.ErrSignature) {
		t.Errorf("another secret's signature: error = %v, want ErrSignature", err)
	}
	payload, header = sign("whsec_test", time.Now().Add(-2*time.Hour))
	if _, err := p.ParseWebhook(payload, header); !errors.Is(err, payment.ErrSignature) {
		t.Errorf("a delivery older than the tolerance: error = %v, want ErrSignature", err)
	}
	payload, header = sign("whsec_test", time.Now().Add(-30*time.Minute))
	if _, err := New(Config{WebhookSecret: "whsec_test"}).ParseWebhook(payload, header); !errors.Is(err, payment.ErrSignature) {
		t.Errorf("30 minutes old with the default tolerance: error = %v, want ErrSignature", err)
	}
}
