package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/receipt"
)

// unzip reads every entry of a zip, decompressed.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = data
	}
	return out
}

// keysOf decodes a JSON object and returns its keys, sorted.
func keysOf(t *testing.T, b []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestExportData: a fan's zip holds each kind of their data as JSON, with
// exactly the fields the docs name, receipts that verify, and no secret.
func TestExportData(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, annAcct := e.signUp("Ann", true)
	fan, fanAcct := e.signUp("Fan", false)
	rel := e.published(ann, "Night Drive", 1, nil)
	p, err := buy(fan, rel.ID, 1000, "order-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fan.SetFollow(ctx, annAcct.ID, api.MailPrefs{Email: true, ShareEmail: true}); err != nil {
		t.Fatal(err)
	}

	status, body, hdr := e.raw("GET", "/api/v1/me/export", fan.Token(), nil)
	if status != http.StatusOK {
		t.Fatalf("export: %d %s", status, body)
	}
	if got, want := hdr.Get("Content-Disposition"), fmt.Sprintf(`attachment; filename="megabox-data-%d.zip"`, fanAcct.ID); got != want {
		t.Errorf("Content-Disposition = %q, want %q", got, want)
	}
	if got := hdr.Get("Content-Type"); got != "application/zip" {
		t.Errorf("Content-Type = %q", got)
	}
	files := unzip(t, body)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"README.txt", "account.json", "announcements.json", "codes.json", "earnings.json", "email_choices.json",
		"files.json", "follows.json", "gifts.json", "purchases.json", "releases.json", "sessions.json"}
	if !slices.Equal(names, want) {
		t.Fatalf("entries = %v, want %v", names, want)
	}
	if !strings.Contains(string(files["README.txt"]), "audio and pictures are not in this archive") {
		t.Errorf("README does not say the audio is left out:\n%s", files["README.txt"])
	}

	// The account, field by field.
	if got, want := keysOf(t, files["account.json"]), []string{"bio", "created_at", "creator", "display_name", "email", "handle", "id",
		"links", "picture_sha256", "public_collection"}; !slices.Equal(got, want) {
		t.Errorf("account fields = %v, want %v", got, want)
	}
	var acct struct {
		ID          int64  `json:"id"`
		Email       string `json:"email"`
		DisplayName string `json:"display_name"`
		Creator     bool   `json:"creator"`
	}
	json.Unmarshal(files["account.json"], &acct)
	if acct.ID != fanAcct.ID || acct.Email != fanAcct.Email || acct.DisplayName != "Fan" || acct.Creator {
		t.Errorf("account = %+v, want %+v", acct, fanAcct)
	}

	// Purchases: amounts in cents and a receipt that verifies.
	var buys []map[string]any
	if err := json.Unmarshal(files["purchases.json"], &buys); err != nil || len(buys) != 1 {
		t.Fatalf("purchases = %s (%v)", files["purchases.json"], err)
	}
	var pkeys []string
	for k := range buys[0] {
		pkeys = append(pkeys, k)
	}
	slices.Sort(pkeys)
	if want := []string{"artist_id", "created_at", "creator_cents", "currency", "fee_cents", "gift", "gross_cents", "id", "platform_cents",
		"provider", "receipt", "refunded_cents", "release_id", "release_title", "share_email"}; !slices.Equal(pkeys, want) {
		t.Errorf("purchase fields = %v, want %v", pkeys, want)
	}
	if buys[0]["id"] != float64(p.ID) || buys[0]["gross_cents"] != float64(1000) || buys[0]["release_title"] != "Night Drive" ||
		buys[0]["creator_cents"] != float64(p.CreatorCents) || buys[0]["currency"] != "EUR" {
		t.Errorf("purchase = %v, want id %d, 1000 EUR, creator %d", buys[0], p.ID, p.CreatorCents)
	}
	keys, err := fan.ReceiptKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := receipt.Verify(buys[0]["receipt"].(string), keys); err != nil || r.PurchaseID != p.ID {
		t.Errorf("exported receipt: %v, %+v", err, r)
	}

	// Follows, email choices, sessions, files.
	var follows []struct {
		ArtistID   int64  `json:"artist_id"`
		ArtistName string `json:"artist_name"`
	}
	json.Unmarshal(files["follows.json"], &follows)
	if len(follows) != 1 || follows[0].ArtistID != annAcct.ID || follows[0].ArtistName != "Ann" {
		t.Errorf("follows = %s", files["follows.json"])
	}
	var choices []struct {
		ArtistID   int64 `json:"artist_id"`
		Email      bool  `json:"email"`
		ShareEmail bool  `json:"share_email"`
	}
	json.Unmarshal(files["email_choices.json"], &choices)
	if len(choices) != 1 || choices[0].ArtistID != annAcct.ID || !choices[0].Email || !choices[0].ShareEmail {
		t.Errorf("email choices = %s", files["email_choices.json"])
	}
	var sessions []map[string]any
	json.Unmarshal(files["sessions.json"], &sessions)
	if len(sessions) != 1 || sessions[0]["current"] != true {
		t.Errorf("sessions = %s", files["sessions.json"])
	}
	var skeys []string
	for k := range sessions[0] {
		skeys = append(skeys, k)
	}
	slices.Sort(skeys)
	if want := []string{"created_at", "current", "expires_at", "id"}; !slices.Equal(skeys, want) {
		t.Errorf("session fields = %v, want %v", skeys, want)
	}
	for _, name := range []string{"releases.json", "announcements.json", "codes.json", "files.json"} {
		if got := strings.TrimSpace(string(files[name])); got != "[]" {
			t.Errorf("%s = %s, want []", name, got)
		}
	}

	// No secret anywhere: not the password hash, not the session's token
	// or its hash, in any encoding, compressed or not.
	_, pwHash, err := e.p.Store.AccountByEmail(ctx, fanAcct.Email)
	if err != nil || pwHash == "" {
		t.Fatalf("password hash: %q %v", pwHash, err)
	}
	tokHash := auth.HashToken(fan.Token())
	secrets := []string{pwHash, fan.Token(), hex.EncodeToString(tokHash), base64.StdEncoding.EncodeToString(tokHash),
		base64.RawURLEncoding.EncodeToString(tokHash), string(tokHash)}
	all := append([]byte{}, body...)
	for _, b := range files {
		all = append(all, b...)
	}
	for _, s := range secrets {
		if bytes.Contains(all, []byte(s)) {
			t.Errorf("the export holds a secret: %q", s)
		}
	}

	// A second export within the minute is refused, and says when.
	var buf bytes.Buffer
	err = fan.ExportData(ctx, &buf)
	wantCode(t, err, api.ERATELIMIT)
	if buf.Len() != 0 {
		t.Errorf("a refused export wrote %d bytes", buf.Len())
	}
	// The creator's export holds their release and earnings.
	buf.Reset()
	if err := ann.ExportData(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	af := unzip(t, buf.Bytes())
	var rels []api.Release
	json.Unmarshal(af["releases.json"], &rels)
	if len(rels) != 1 || rels[0].ID != rel.ID || len(rels[0].Tracks) != 1 {
		t.Errorf("creator's releases = %s", af["releases.json"])
	}
	// Its files: the track and the cover, described, not included.
	var owned []struct {
		SHA256    string `json:"sha256"`
		Size      int64  `json:"size"`
		MediaType string `json:"media_type"`
	}
	json.Unmarshal(af["files.json"], &owned)
	var shas []string
	for _, o := range owned {
		shas = append(shas, o.SHA256)
	}
	if len(owned) != 2 || !slices.Contains(shas, rels[0].CoverSHA256) || !slices.Contains(shas, rels[0].Tracks[0].AudioSHA256) {
		t.Errorf("creator's files = %s", af["files.json"])
	}
	var earn struct {
		Balances map[string]int64 `json:"balances_cents"`
	}
	json.Unmarshal(af["earnings.json"], &earn)
	if earn.Balances["EUR"] != p.CreatorCents {
		t.Errorf("creator's balance = %v, want %d EUR", earn.Balances, p.CreatorCents)
	}
}

// TestDeleteAccount: a fan deletes their account over HTTP; they can no
// longer sign in or export, their address is free again, and the books
// (the ledger, the creator's earnings, the receipt) are as before.
func TestDeleteAccount(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, annAcct := e.signUp("Ann", true)
	fan, fanAcct := e.signUp("Fan", false)
	rel := e.published(ann, "Night Drive", 1, nil)
	p, err := buy(fan, rel.ID, 1000, "order-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fan.SetFollow(ctx, annAcct.ID, api.MailPrefs{Email: true, ShareEmail: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := fan.UpdateProfile(ctx, api.Profile{Handle: "fanhandle", DisplayName: "Fan", Bio: "hello", PublicCollection: true}); err != nil {
		t.Fatal(err)
	}
	second := e.client()
	if _, err := second.CreateSession(ctx, api.Credentials{Email: fanAcct.Email, Password: "long enough pw"}); err != nil {
		t.Fatal(err)
	}
	earnBefore, err := ann.Earnings(ctx, api.EarningsFilter{Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	ledgerBefore := e.ledgerState()

	// Refusals first: nothing changes.
	wantField := func(err error, field string) {
		t.Helper()
		wantCode(t, err, api.EINVALID)
		if got := api.ErrorField(err); got != field {
			t.Errorf("field = %q, want %q (%v)", got, field, err)
		}
	}
	wantField(fan.DeleteAccount(ctx, api.AccountDeletion{Password: "wrong password!", Confirm: "DELETE"}), "password")
	wantField(fan.DeleteAccount(ctx, api.AccountDeletion{Password: "long enough pw", Confirm: "delete"}), "confirm")
	if _, err := fan.Me(ctx); err != nil {
		t.Fatalf("refused deletion signed the fan out: %v", err)
	}

	oldToken, secondToken := fan.Token(), second.Token()
	if err := fan.DeleteAccount(ctx, api.AccountDeletion{Password: "long enough pw", Confirm: "DELETE"}); err != nil {
		t.Fatal(err)
	}
	if fan.Token() != "" {
		t.Errorf("the client kept its token")
	}
	// Every session ended, sign-in refused, export impossible.
	for _, tok := range []string{oldToken, secondToken} {
		if status, body, _ := e.raw("GET", "/api/v1/me", tok, nil); status != http.StatusUnauthorized {
			t.Errorf("GET /me with an old session: %d %s", status, body)
		}
		if status, body, _ := e.raw("GET", "/api/v1/me/export", tok, nil); status != http.StatusUnauthorized {
			t.Errorf("export after deletion: %d %s", status, body)
		}
	}
	_, err = e.client().CreateSession(ctx, api.Credentials{Email: fanAcct.Email, Password: "long enough pw"})
	wantCode(t, err, api.EUNAUTHORIZED)
	_, err = e.client().CreateSession(ctx, api.Credentials{Email: fmt.Sprintf("deleted-%d@invalid", fanAcct.ID), Password: ""})
	wantCode(t, err, api.EUNAUTHORIZED)
	// The address is free for a new account.
	again, err := e.client().CreateAccount(ctx, api.AccountCreate{Email: fanAcct.Email, Password: "another long pw", DisplayName: "New"})
	if err != nil || again.ID == fanAcct.ID {
		t.Fatalf("sign up again with the freed address: %v %+v", err, again)
	}
	_, err = e.client().CreateAccount(ctx, api.AccountCreate{Email: fmt.Sprintf("deleted-%d@invalid", fanAcct.ID+100), Password: "another long pw", DisplayName: "X"})
	wantCode(t, err, api.EINVALID)

	// The books: the same journal, the same earnings in cents, the
	// receipt still verifies; the creator sees an anonymous buyer.
	if got := e.ledgerState(); got != ledgerBefore {
		t.Errorf("ledger = %s, want %s", got, ledgerBefore)
	}
	if _, unbalanced, err := e.p.Store.LedgerCheck(ctx); err != nil || unbalanced != 0 {
		t.Errorf("ledger check: %d unbalanced, %v", unbalanced, err)
	}
	earnAfter, err := ann.Earnings(ctx, api.EarningsFilter{Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if earnAfter.Totals != earnBefore.Totals || earnAfter.Totals.CreatorCents != p.CreatorCents {
		t.Errorf("earnings = %+v, want %+v (creator %d)", earnAfter.Totals, earnBefore.Totals, p.CreatorCents)
	}
	keys, err := ann.ReceiptKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := receipt.Verify(p.Receipt, keys); err != nil || r.PurchaseID != p.ID {
		t.Errorf("receipt after deletion: %v %+v", err, r)
	}
	fans, err := ann.Fans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fans.Items) != 1 || fans.Items[0].DisplayName != "Deleted account" || fans.Items[0].Email != "" || fans.Items[0].Follower {
		t.Errorf("fans = %+v, want one anonymous buyer, no address, not following", fans.Items)
	}

	// The handle is gone from the web but stays reserved.
	if status, _, _ := e.raw("GET", "/@fanhandle", "", nil); status != http.StatusNotFound {
		t.Errorf("GET /@fanhandle after deletion: %d", status)
	}
	_, err = ann.UpdateProfile(ctx, api.Profile{Handle: "fanhandle", DisplayName: "Ann"})
	wantCode(t, err, api.ECONFLICT)
}

// TestDeleteAccountCreatorRefused: a creator with a release on sale and
// money owed is told what to do first, and keeps everything.
func TestDeleteAccountCreatorRefused(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, annAcct := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	rel := e.published(ann, "Night Drive", 1, nil)
	p, err := buy(fan, rel.ID, 1000, "order-1")
	if err != nil {
		t.Fatal(err)
	}
	err = ann.DeleteAccount(ctx, api.AccountDeletion{Password: "long enough pw", Confirm: "DELETE"})
	wantCode(t, err, api.ECONFLICT)
	want := fmt.Sprintf("your account cannot be deleted yet: unpublish your release on sale (#%d); request a payout of your balance of %s",
		rel.ID, api.FormatCents(p.CreatorCents, "EUR"))
	if got := err.(*api.Error).Message; got != want {
		t.Errorf("message = %q\nwant      %q", got, want)
	}
	if me, err := ann.Me(ctx); err != nil || me.Email != annAcct.Email {
		t.Errorf("after a refusal: %+v %v", me, err)
	}
	if _, err := e.client().CreateSession(ctx, api.Credentials{Email: annAcct.Email, Password: "long enough pw"}); err != nil {
		t.Errorf("sign in after a refusal: %v", err)
	}
}

var _ api.PrivacyService = (*mhttp.Client)(nil)
