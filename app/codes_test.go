package app

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/demo"
	"github.com/megabox-fm/megabox/app/library"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/wait"
)

// switchTo signs the app out and in again as email.
func switchTo(t *testing.T, a *App, email, password string) {
	t.Helper()
	if err := (&AccountAPI{a}).SignOut(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.signIn(email, password); err != nil {
		t.Fatal(err)
	}
}

// codeRelease is the creator's published release titled title.
func codeRelease(t *testing.T, x *CodesAPI, title string) CodeRelease {
	t.Helper()
	rels, err := x.Releases()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rels, func(r CodeRelease) bool { return r.Title == title })
	if i < 0 {
		t.Fatalf("no release %q among the creator's %+v", title, rels)
	}
	return rels[i]
}

// A creator makes free codes for a release and saves them as CSV; a fan
// redeems one and finds the release in their library; the same code again,
// an unknown one, a malformed one and one of a revoked batch are refused
// by their codes.
func TestFreeCodesReachTheLibrary(t *testing.T) {
	a := openLocalApp(t)
	pw := a.local.demoPassword
	if _, err := a.signIn(demo.CreatorEmail, pw); err != nil {
		t.Fatal(err)
	}
	x := &CodesAPI{a}
	copper := codeRelease(t, x, "Copper Hours")
	if _, err := x.CreateBatch(copper.ID, api.CodeBatchCreate{Count: 0, Kind: api.CodeFree}); decodeUIError(t, err)["field"] != "count" {
		t.Fatalf("a batch of 0: %v, want the count refused", err)
	}
	made, err := x.CreateBatch(copper.ID, api.CodeBatchCreate{Count: 3, Kind: api.CodeFree, Label: "=Radio"})
	if err != nil {
		t.Fatal(err)
	}
	if len(made.Codes) != 3 || made.Batch.Count != 3 || made.Batch.ReleaseID != copper.ID {
		t.Fatalf("made %+v, want 3 codes for release %d", made, copper.ID)
	}

	path := filepath.Join(t.TempDir(), "codes.csv")
	if err := writeCodesCSV(path, made); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, path)
	if len(rows) != 4 || rows[0][0] != "code" || rows[0][6] != "label" {
		t.Fatalf("csv %q, want a header and 3 codes", rows)
	}
	for i, c := range made.Codes {
		if got := rows[i+1]; got[0] != c || got[1] != strconv.FormatInt(copper.ID, 10) || got[3] != api.CodeFree || got[6] != "'=Radio" {
			t.Errorf("row %d = %q, want code %s of release %d, free, label kept from spreadsheets' formulas", i+1, got, c, copper.ID)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("csv mode %v, want 0600", fi.Mode().Perm())
	}

	switchTo(t, a, demo.FanEmail, pw)
	r, err := x.Redeem(made.Codes[0])
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != api.CodeFree || r.Purchase == nil || r.Purchase.ReleaseID != copper.ID || r.Purchase.GrossCents != 0 || r.PayCents != 0 {
		t.Fatalf("redeemed %+v (purchase %+v), want a zero-amount purchase of release %d", r, r.Purchase, copper.ID)
	}
	wait.Until(t, 2*time.Minute, "the library to have Copper Hours", func() bool {
		rels, err := (&LibraryAPI{a}).Releases()
		return err == nil && slices.ContainsFunc(rels, func(l library.Release) bool { return l.PurchaseID == r.Purchase.ID })
	})
	for _, c := range []struct{ typed, code, field string }{
		{made.Codes[0], api.ECODEUSED, "code"},
		{"ZZZZ-ZZZZ-ZZ", api.ENOTFOUND, "code"},
		{"hello", api.EINVALID, "code"},
	} {
		_, err := x.Redeem(c.typed)
		if got := decodeUIError(t, err); got["code"] != c.code || got["field"] != c.field {
			t.Errorf("redeem %q: %v, want %s on %s", c.typed, got, c.code, c.field)
		}
	}

	switchTo(t, a, demo.CreatorEmail, pw)
	bs, err := x.Batches(copper.ID)
	if err != nil || len(bs) != 1 || bs[0].Redeemed != 1 || bs[0].Count != 3 || bs[0].Label != "=Radio" {
		t.Fatalf("batches %+v, %v; want one with 1 of 3 redeemed", bs, err)
	}
	if b, err := x.RevokeBatch(copper.ID, bs[0].ID); err != nil || b.RevokedAt == nil {
		t.Fatalf("revoke: %+v, %v", b, err)
	}
	if _, err := (&AccountAPI{a}).SignUp("late@example.com", "a long enough password", "Late", false); err != nil {
		t.Fatal(err)
	}
	_, err = x.Redeem(made.Codes[1])
	if got := decodeUIError(t, err); got["code"] != api.ECODEREVOKED {
		t.Fatalf("a revoked batch's code: %v, want %s", got, api.ECODEREVOKED)
	}
}

// A discount code answers its price, and a checkout naming it is made at
// that price, which the release alone does not allow.
func TestDiscountCodeGoesToTheCheckout(t *testing.T) {
	a := openLocalApp(t)
	a.browse = (&pageOpener{}).open
	pw := a.local.demoPassword
	if _, err := a.signIn(demo.CreatorEmail, pw); err != nil {
		t.Fatal(err)
	}
	x := &CodesAPI{a}
	tidal := codeRelease(t, x, "Tidal Lines") // 8.00, the demo fan owns it
	made, err := x.CreateBatch(tidal.ID, api.CodeBatchCreate{Count: 1, Kind: api.CodePercent, PercentOff: 25})
	if err != nil {
		t.Fatal(err)
	}

	switchTo(t, a, demo.FanEmail, pw)
	_, err = x.Redeem(made.Codes[0])
	if got := decodeUIError(t, err); got["code"] != api.ECONFLICT {
		t.Fatalf("a code for a release the fan owns: %v, want %s", got, api.ECONFLICT)
	}

	if _, err := (&AccountAPI{a}).SignUp("buyer@example.com", "a long enough password", "Buyer", false); err != nil {
		t.Fatal(err)
	}
	r, err := x.Redeem(made.Codes[0])
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != api.CodePercent || r.Purchase != nil || r.PriceCents != 800 || r.PayCents != 600 || r.MinCents != 600 || r.ReleaseID != tidal.ID {
		t.Fatalf("redeemed %+v, want 8.00 lowered to 6.00 and no purchase yet", r)
	}
	store := &StoreAPI{a}
	_, err = store.Checkout("k-nocode", tidal.ID, 600, "EUR", false, "")
	if got := decodeUIError(t, err); got["code"] != api.EINVALID || got["field"] != "amount_cents" {
		t.Fatalf("6.00 without the code: %v, want the amount refused", got)
	}
	co, err := store.Checkout("k-code", tidal.ID, 600, "EUR", false, made.Codes[0])
	if err != nil {
		t.Fatal(err)
	}
	if co.State != api.CheckoutOpen || co.AmountCents != 600 || co.ReleaseID != tidal.ID {
		t.Fatalf("checkout %+v, want an open one at 6.00", co)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Codes saved from the window must be codes; a refusal writes nothing.
func TestSaveBatchCSVRefusesWhatIsNotACode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "codes.csv")
	for _, codes := range [][]string{nil, {"K7QM-P2XW-9D", "=cmd|' /C calc'!A0"}} {
		err := writeCodesCSV(path, &api.CodeBatchCreated{Batch: api.CodeBatch{ID: 1, Kind: api.CodeFree}, Codes: codes})
		if api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != "codes" {
			t.Errorf("codes %q: %v, want invalid codes", codes, err)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a refused save left %s: %v", path, err)
	}
}
