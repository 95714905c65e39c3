package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/receipt"
	"github.com/megabox-fm/megabox/backend/store"
)

// These tests check each store method against the rows it must return;
// the conformance suite in storetest checks the same through the services.

func sha(n int) string { return fmt.Sprintf("%064x", n) }

func ownBlob(t *testing.T, db store.Store, account int64, n int, size int64, media string) string {
	t.Helper()
	mustTx(t, db, func(tx store.Tx) error {
		return tx.OwnBlob(context.Background(), account, api.Blob{SHA256: sha(n), Size: size, MediaType: media, DurationMS: 1000 * int64(n)}, t0)
	})
	return sha(n)
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func TestAccountsAndSessions(t *testing.T) {
	t.Parallel()
	db, _ := mustOpen(t)
	ctx := context.Background()
	ann := mustAccount(t, db, "Ann@Example.com", true)
	err := db.WithTx(ctx, func(tx store.Tx) error {
		_, err := tx.InsertAccount(ctx, &api.Account{Email: "ann@example.COM", DisplayName: "Other", CreatedAt: t0}, "h")
		return err
	})
	wantErr(t, "same email in another case", err, store.ErrConflict)

	a, hash, err := db.AccountByEmail(ctx, "ANN@example.com")
	want := api.Account{ID: ann, Email: "Ann@Example.com", DisplayName: "Ann", Creator: true, CreatedAt: t0.Truncate(time.Millisecond)}
	if err != nil || !reflect.DeepEqual(*a, want) || hash != "hash" {
		t.Fatalf("AccountByEmail = %+v, %q, %v; want %+v", a, hash, err, want)
	}
	if got, err := db.Account(ctx, ann); err != nil || !reflect.DeepEqual(*got, want) {
		t.Fatalf("Account = %+v, %v", got, err)
	}
	_, err = db.Account(ctx, ann+100)
	wantErr(t, "Account of nobody", err, store.ErrNotFound)
	_, _, err = db.AccountByEmail(ctx, "nobody@example.com")
	wantErr(t, "AccountByEmail of nobody", err, store.ErrNotFound)

	mustTx(t, db, func(tx store.Tx) error { return tx.SetPassword(ctx, ann, "new hash") })
	if _, hash, _ := db.AccountByEmail(ctx, "ann@example.com"); hash != "new hash" {
		t.Fatalf("hash after SetPassword = %q", hash)
	}

	var s1, s2 int64
	mustTx(t, db, func(tx store.Tx) (err error) {
		if s1, err = tx.InsertSession(ctx, []byte("token1"), ann, t0, t0.Add(time.Hour)); err != nil {
			return err
		}
		s2, err = tx.InsertSession(ctx, []byte("token2"), ann, t0, t0.Add(time.Hour))
		return err
	})
	c, exp, err := db.Session(ctx, []byte("token1"), t0.Add(59*time.Minute))
	if err != nil || c.SessionID != s1 || !reflect.DeepEqual(c.Account, want) || !exp.Equal(t0.Add(time.Hour).Truncate(time.Millisecond)) {
		t.Fatalf("Session = %+v, %v, %v", c, exp, err)
	}
	_, _, err = db.Session(ctx, []byte("token1"), t0.Add(time.Hour))
	wantErr(t, "expired session", err, store.ErrNotFound)
	mustTx(t, db, func(tx store.Tx) error { return tx.DeleteSession(ctx, s1) })
	_, _, err = db.Session(ctx, []byte("token1"), t0)
	wantErr(t, "deleted session", err, store.ErrNotFound)
	if c, _, err := db.Session(ctx, []byte("token2"), t0); err != nil || c.SessionID != s2 {
		t.Fatalf("other session = %+v, %v", c, err)
	}
	mustTx(t, db, func(tx store.Tx) error { return tx.DeleteSessions(ctx, ann) })
	_, _, err = db.Session(ctx, []byte("token2"), t0)
	wantErr(t, "session after DeleteSessions", err, store.ErrNotFound)
}

func TestBlobsUploadsAndUsage(t *testing.T) {
	t.Parallel()
	db, _ := mustOpen(t)
	ctx := context.Background()
	ann := mustAccount(t, db, "ann@example.com", true)
	bob := mustAccount(t, db, "bob@example.com", true)
	used := func(account, want int64) {
		t.Helper()
		if got, err := db.UsedBytes(ctx, account); err != nil || got != want {
			t.Fatalf("UsedBytes(%d) = %d, %v; want %d", account, got, err, want)
		}
	}
	used(ann, 0)
	up := api.Upload{ID: "u1", AccountID: ann, SHA256: sha(1), Size: 600, Filename: "a.mp3", CreatedAt: t0}
	mustTx(t, db, func(tx store.Tx) error { return tx.InsertUpload(ctx, up) })
	used(ann, 600)
	wantErr(t, "twin upload id", db.WithTx(ctx, func(tx store.Tx) error { return tx.InsertUpload(ctx, up) }), store.ErrConflict)
	if got, err := db.Upload(ctx, "u1"); err != nil || !reflect.DeepEqual(*got, up) {
		t.Fatalf("Upload = %+v, %v; want %+v", got, err, up)
	}
	if stale, err := db.StaleUploads(ctx, t0.Add(time.Millisecond)); err != nil || len(stale) != 1 || stale[0].ID != "u1" {
		t.Fatalf("StaleUploads after = %+v, %v", stale, err)
	}
	if stale, err := db.StaleUploads(ctx, t0); err != nil || len(stale) != 0 {
		t.Fatalf("StaleUploads at = %+v, %v", stale, err)
	}

	// Finishing: the upload goes, the blob stays, counted once.
	mustTx(t, db, func(tx store.Tx) error {
		acct, err := tx.DeleteUpload(ctx, "u1")
		if err != nil || acct != ann {
			return fmt.Errorf("DeleteUpload = %d, %v", acct, err)
		}
		return tx.OwnBlob(ctx, ann, api.Blob{SHA256: sha(1), Size: 600, MediaType: api.MediaMP3, DurationMS: 1234}, t0)
	})
	used(ann, 600)
	_, err := db.Upload(ctx, "u1")
	wantErr(t, "finished upload", err, store.ErrNotFound)
	wantErr(t, "DeleteUpload twice", db.WithTx(ctx, func(tx store.Tx) error { _, err := tx.DeleteUpload(ctx, "u1"); return err }), store.ErrNotFound)
	ownBlob(t, db, ann, 1, 600, api.MediaMP3) // owned again: no change
	used(ann, 600)
	ownBlob(t, db, bob, 1, 600, api.MediaMP3) // another owner of the same bytes
	used(bob, 600)
	ownBlob(t, db, ann, 2, 50, api.MediaPNG)
	used(ann, 650)

	b, err := db.Blob(ctx, sha(1))
	if want := (api.Blob{SHA256: sha(1), Size: 600, MediaType: api.MediaMP3, DurationMS: 1234, CreatedAt: t0.Truncate(time.Millisecond)}); err != nil || !reflect.DeepEqual(*b, want) {
		t.Fatalf("Blob = %+v, %v; want %+v", b, err, want)
	}
	_, err = db.Blob(ctx, sha(9))
	wantErr(t, "missing blob", err, store.ErrNotFound)
	for _, c := range []struct {
		account int64
		n       int
		want    bool
	}{{ann, 1, true}, {ann, 2, true}, {bob, 1, true}, {bob, 2, false}, {ann, 9, false}} {
		if got, err := db.OwnsBlob(ctx, c.account, sha(c.n)); err != nil || got != c.want {
			t.Errorf("OwnsBlob(%d, %d) = %v, %v; want %v", c.account, c.n, got, err, c.want)
		}
	}
}

// catalog is a creator with one published release of three tracks.
type catalog struct {
	ann, bob, fan, fan2 int64
	rel                 int64
	tracks              []api.ManifestTrack
}

func newCatalog(t *testing.T, db store.Store) catalog {
	t.Helper()
	ctx := context.Background()
	c := catalog{ann: mustAccount(t, db, "ann@example.com", true), bob: mustAccount(t, db, "bob@example.com", true),
		fan: mustAccount(t, db, "fan@example.com", false), fan2: mustAccount(t, db, "fan2@example.com", false)}
	a, b := ownBlob(t, db, c.ann, 11, 100, api.MediaMP3), ownBlob(t, db, c.ann, 12, 200, api.MediaMP3)
	cover := ownBlob(t, db, c.ann, 13, 10, api.MediaJPEG)
	c.tracks = []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: a}, {Position: 2, Title: "Two", AudioSHA256: b}, {Position: 3, Title: "One again", AudioSHA256: a}}
	m := api.Manifest{Title: "First Light", ArtistName: "Ann", PriceCents: 700, Currency: "EUR", CoverSHA256: cover, Tracks: c.tracks}
	mustTx(t, db, func(tx store.Tx) (err error) {
		if c.rel, err = tx.InsertRelease(ctx, c.ann, m, t0); err != nil {
			return err
		}
		if err := tx.ReplaceTracks(ctx, c.rel, m.Tracks); err != nil {
			return err
		}
		return tx.SetReleaseState(ctx, c.rel, api.StatePublished, t0.Add(time.Minute))
	})
	return c
}

func TestReleasesAndTracks(t *testing.T) {
	t.Parallel()
	db, _ := mustOpen(t)
	ctx := context.Background()
	c := newCatalog(t, db)
	rel, err := db.Release(ctx, c.rel)
	if err != nil {
		t.Fatal(err)
	}
	pub := t0.Add(time.Minute).Truncate(time.Millisecond)
	if rel.Title != "First Light" || rel.ArtistID != c.ann || rel.State != api.StatePublished || rel.CoverSHA256 != sha(13) ||
		rel.PublishedAt == nil || !rel.PublishedAt.Equal(pub) || !rel.UpdatedAt.Equal(pub) || !rel.CreatedAt.Equal(t0.Truncate(time.Millisecond)) {
		t.Fatalf("Release = %+v", rel)
	}
	if len(rel.Tracks) != 3 || rel.Tracks[0].Title != "One" || rel.Tracks[1].Size != 200 || rel.Tracks[1].DurationMS != 12000 || rel.Tracks[2].AudioSHA256 != sha(11) {
		t.Fatalf("tracks = %+v", rel.Tracks)
	}
	ids := []int64{rel.Tracks[0].ID, rel.Tracks[1].ID, rel.Tracks[2].ID}

	// Reordered with a track dropped: kept audio keeps its ids, each once.
	m := api.Manifest{Title: "First Light (remaster)", ArtistName: "Ann", PriceCents: 900, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "Two", AudioSHA256: sha(12)}, {Position: 2, Title: "One", AudioSHA256: sha(11)}}}
	mustTx(t, db, func(tx store.Tx) error {
		if err := tx.UpdateRelease(ctx, c.rel, m, t0.Add(2*time.Minute)); err != nil {
			return err
		}
		if err := tx.ReplaceTracks(ctx, c.rel, m.Tracks); err != nil {
			return err
		}
		// Unpublishing and publishing again keeps the first publication date.
		if err := tx.SetReleaseState(ctx, c.rel, api.StateDraft, t0.Add(3*time.Minute)); err != nil {
			return err
		}
		return tx.SetReleaseState(ctx, c.rel, api.StatePublished, t0.Add(4*time.Minute))
	})
	rel, _ = db.Release(ctx, c.rel)
	got := []int64{rel.Tracks[0].ID, rel.Tracks[1].ID}
	if len(rel.Tracks) != 2 || got[0] != ids[1] || got[1] != ids[0] || rel.Tracks[0].Title != "Two" || rel.CoverSHA256 != "" || rel.PriceCents != 900 {
		t.Fatalf("after update: %+v, track ids %v from %v", rel, got, ids)
	}
	if !rel.PublishedAt.Equal(pub) {
		t.Fatalf("published at %v after republishing, want the first publication %v", rel.PublishedAt, pub)
	}
	tr, err := db.Track(ctx, ids[1])
	if err != nil || tr.ReleaseID != c.rel || tr.Position != 1 || tr.Title != "Two" || tr.Size != 200 || tr.ArtistID != c.ann || tr.State != api.StatePublished || tr.PriceCents != 900 {
		t.Fatalf("Track = %+v, %v", tr, err)
	}
	_, err = db.Track(ctx, ids[2])
	wantErr(t, "dropped track", err, store.ErrNotFound)

	// A draft of Bob's, and the listings.
	var draft int64
	ownBlob(t, db, c.bob, 21, 10, api.MediaMP3)
	mustTx(t, db, func(tx store.Tx) (err error) {
		draft, err = tx.InsertRelease(ctx, c.bob, api.Manifest{Title: "Night Songs", ArtistName: "Bob", Currency: "USD"}, t0)
		return err
	})
	list := func(q store.ReleaseQuery) []int64 {
		t.Helper()
		rels, err := db.Releases(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, r := range rels {
			ids = append(ids, r.ID)
		}
		return ids
	}
	for _, tc := range []struct {
		q    store.ReleaseQuery
		want []int64
	}{
		{store.ReleaseQuery{Limit: 10}, []int64{draft, c.rel}},
		{store.ReleaseQuery{PublishedOnly: true, Limit: 10}, []int64{c.rel}},
		{store.ReleaseQuery{ArtistID: c.bob, Limit: 10}, []int64{draft}},
		{store.ReleaseQuery{Words: []string{"light", "ann"}, Limit: 10}, []int64{c.rel}},
		{store.ReleaseQuery{Words: []string{"light", "bob"}, Limit: 10}, []int64{}},
		{store.ReleaseQuery{Words: []string{"%"}, Limit: 10}, []int64{}},
		{store.ReleaseQuery{Before: draft, Limit: 10}, []int64{c.rel}},
		{store.ReleaseQuery{Limit: 1}, []int64{draft}},
	} {
		if got := list(tc.q); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Releases(%+v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	mustTx(t, db, func(tx store.Tx) error { return tx.DeleteRelease(ctx, draft) })
	_, err = db.Release(ctx, draft)
	wantErr(t, "deleted release", err, store.ErrNotFound)
	wantErr(t, "delete twice", db.WithTx(ctx, func(tx store.Tx) error { return tx.DeleteRelease(ctx, draft) }), store.ErrNotFound)
}

// sell records a sale of the catalog's release at a time.
func sell(t *testing.T, db store.Store, c catalog, fan, gross int64, at time.Time, share bool) int64 {
	t.Helper()
	ctx := context.Background()
	split, err := ledger.SplitGross(gross, ledger.DefaultRateBps)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	mustTx(t, db, func(tx store.Tx) (err error) {
		id, err = tx.InsertPurchase(ctx, store.Sale{FanID: fan, ReleaseID: c.rel, ArtistID: c.ann, Split: split, FeeCents: 3, RateBps: ledger.DefaultRateBps,
			Currency: "EUR", Provider: "sandbox", PaymentRef: fmt.Sprintf("ch_%d", gross), ShareEmail: share, Tracks: c.tracks, CreatedAt: at})
		if err != nil {
			return err
		}
		txn, err := ledger.Sale("sandbox", c.ann, split, 3, "EUR")
		if err != nil {
			return err
		}
		return tx.CompleteSale(ctx, store.CompletedSale{PurchaseID: id, Receipt: fmt.Sprintf("jws%d", id),
			Entry: store.Entry{Kind: "sale", PurchaseID: id, Txn: txn, At: at}})
	})
	return id
}

func refund(t *testing.T, db store.Store, c catalog, purchase, amount int64, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	mustTx(t, db, func(tx store.Tx) error {
		sale, err := tx.Sale(ctx, purchase)
		if err != nil {
			return err
		}
		done, err := tx.Refunded(ctx, purchase)
		if err != nil {
			return err
		}
		split, err := ledger.SplitRefund(ledger.Remaining(sale.Split, []ledger.Split{done}), amount, sale.RateBps)
		if err != nil {
			return err
		}
		if id, err = tx.InsertRefund(ctx, store.RefundRecord{PurchaseID: purchase, Split: split, RefundedBy: c.ann, CreatedAt: at}); err != nil {
			return err
		}
		return tx.Post(ctx, store.Entry{Kind: "refund", PurchaseID: purchase, RefundID: id, Txn: ledger.Refund(sale.Provider, c.ann, split, sale.Currency), At: at})
	})
	return id
}

func TestPurchasesRefundsAndLibrary(t *testing.T) {
	t.Parallel()
	db, url := mustOpen(t)
	ctx := context.Background()
	c := newCatalog(t, db)
	if owns, _ := db.Owns(ctx, c.fan, c.rel); owns {
		t.Fatal("Owns before buying")
	}
	if sold, _ := db.HasSales(ctx, c.rel); sold {
		t.Fatal("HasSales before a sale")
	}
	p1 := sell(t, db, c, c.fan, 1000, t0, true)
	if owns, _ := db.Owns(ctx, c.fan, c.rel); !owns {
		t.Fatal("Owns after buying = false")
	}
	if sold, _ := db.HasSales(ctx, c.rel); !sold {
		t.Fatal("HasSales after a sale = false")
	}
	sold, err := db.SoldTracks(ctx, c.rel)
	want := []api.ManifestTrack{{Title: "One", AudioSHA256: sha(11)}, {Title: "One again", AudioSHA256: sha(11)}, {Title: "Two", AudioSHA256: sha(12)}}
	if err != nil || !reflect.DeepEqual(sold, want) {
		t.Fatalf("SoldTracks = %+v, %v; want %+v", sold, err, want)
	}
	s, err := db.Sale(ctx, p1)
	if err != nil || *s != (store.SaleRecord{ID: p1, ArtistID: c.ann, Split: ledger.Split{Gross: 1000, Creator: 900, Platform: 100}, RateBps: ledger.DefaultRateBps,
		Currency: "EUR", Provider: "sandbox", PaymentRef: "ch_1000"}) {
		t.Fatalf("Sale = %+v, %v", s, err)
	}

	r1 := refund(t, db, c, p1, 400, t0.Add(time.Hour))
	if r1 == 0 {
		t.Fatal("refund id 0")
	}
	if got, err := db.Refunded(ctx, p1); err != nil || got != (ledger.Split{Gross: 400, Creator: 360, Platform: 40}) {
		t.Fatalf("Refunded = %+v, %v", got, err)
	}
	p, err := db.Purchase(ctx, p1)
	if err != nil || p.GrossCents != 1000 || p.CreatorCents != 900 || p.RefundedCents != 400 || p.Receipt != "jws1" || p.ReleaseID != c.rel ||
		p.Currency != "EUR" || !p.CreatedAt.Equal(t0.Truncate(time.Millisecond)) || p.Split != "" {
		t.Fatalf("Purchase = %+v, %v", p, err)
	}
	_, err = db.Purchase(ctx, p1+100)
	wantErr(t, "missing purchase", err, store.ErrNotFound)
	wantErr(t, "refund of no sale", db.WithTx(ctx, func(tx store.Tx) error {
		_, err := tx.InsertRefund(ctx, store.RefundRecord{PurchaseID: p1 + 100, Split: ledger.Split{Gross: 1, Creator: 1}, CreatedAt: t0})
		return err
	}), store.ErrNotFound)

	// A free claim is owned though nothing was paid; a fully refunded
	// sale is not.
	free := sell(t, db, c, c.fan2, 0, t0.Add(2*time.Hour), false)
	lib, err := db.Library(ctx, c.fan)
	if err != nil || len(lib) != 1 || lib[0].PurchaseID != p1 || lib[0].Release.ID != c.rel || lib[0].GrossCents != 1000 || lib[0].Receipt != "jws1" {
		t.Fatalf("Library(fan) = %+v, %v", lib, err)
	}
	refund(t, db, c, p1, 600, t0.Add(3*time.Hour))
	if owns, _ := db.Owns(ctx, c.fan, c.rel); owns {
		t.Fatal("Owns after a full refund")
	}
	if lib, err := db.Library(ctx, c.fan); err != nil || len(lib) != 0 {
		t.Fatalf("Library after a full refund = %+v, %v", lib, err)
	}
	if owns, _ := db.Owns(ctx, c.fan2, c.rel); !owns {
		t.Fatal("free claim not owned")
	}
	if lib, _ := db.Library(ctx, c.fan2); len(lib) != 1 || lib[0].PurchaseID != free {
		t.Fatalf("Library(fan2) = %+v", lib)
	}

	// Idempotency keys: stored outcome, then the purchase.
	k := store.IdempotencyKey{FanID: c.fan, Key: "k", RequestHash: []byte{1, 2}, ErrCode: api.EPAYMENT, ErrMessage: "declined", CreatedAt: t0}
	mustTx(t, db, func(tx store.Tx) error { return tx.InsertIdempotencyKey(ctx, k) })
	if got, err := db.IdempotencyKey(ctx, c.fan, "k"); err != nil || !reflect.DeepEqual(*got, k) {
		t.Fatalf("IdempotencyKey = %+v, %v; want %+v", got, err, k)
	}
	if _, err := raw(t, url).Exec(ctx, `UPDATE idempotency_keys SET purchase_id = $1 WHERE fan_id = $2 AND key = 'k'`, p1, c.fan); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.IdempotencyKey(ctx, c.fan, "k"); got.PurchaseID != p1 {
		t.Fatalf("PurchaseID = %d, want %d", got.PurchaseID, p1)
	}
	_, err = db.IdempotencyKey(ctx, c.fan2, "k")
	wantErr(t, "another fan's key", err, store.ErrNotFound)

	// The journal balances: the ledger check sees every posting.
	sums, unbalanced, err := db.LedgerCheck(ctx)
	if err != nil || unbalanced != 0 || !reflect.DeepEqual(sums, map[string]int64{"EUR": 0}) {
		t.Fatalf("LedgerCheck = %v, %d, %v", sums, unbalanced, err)
	}
	if bal, err := db.CreatorBalance(ctx, c.ann, "EUR"); err != nil || bal != 0 {
		t.Fatalf("CreatorBalance after a full refund = %d, %v", bal, err)
	}
}

func TestPayouts(t *testing.T) {
	t.Parallel()
	db, _ := mustOpen(t)
	ctx := context.Background()
	c := newCatalog(t, db)
	p1 := sell(t, db, c, c.fan, 1000, t0, false)                 // 900 to Ann
	p2 := sell(t, db, c, c.fan2, 2000, t0.Add(time.Hour), false) // 1800 to Ann
	refund(t, db, c, p1, 100, t0.Add(2*time.Hour))               // 90 back from Ann
	open, err := db.OpenSales(ctx, c.ann, "EUR")
	if want := []store.OpenSale{{PurchaseID: p1, Cents: 810}, {PurchaseID: p2, Cents: 1800}}; err != nil || !reflect.DeepEqual(open, want) {
		t.Fatalf("OpenSales = %+v, %v; want %+v", open, err, want)
	}
	if bal, _ := db.CreatorBalance(ctx, c.ann, "EUR"); bal != 2610 {
		t.Fatalf("CreatorBalance = %d, want 2610", bal)
	}
	var id int64
	at := t0.Add(3 * time.Hour)
	mustTx(t, db, func(tx store.Tx) (err error) {
		if id, err = tx.InsertPayout(ctx, c.ann, 1000, "EUR", at); err != nil {
			return err
		}
		if err := tx.InsertPayoutItems(ctx, id, []store.OpenSale{{PurchaseID: p1, Cents: 810}, {PurchaseID: p2, Cents: 190}}); err != nil {
			return err
		}
		return tx.Post(ctx, store.Entry{Kind: "payout", PayoutID: id, Txn: ledger.PayoutRequested(c.ann, 1000, "EUR"), At: at})
	})
	if open, _ := db.OpenSales(ctx, c.ann, "EUR"); !reflect.DeepEqual(open, []store.OpenSale{{PurchaseID: p2, Cents: 1610}}) {
		t.Fatalf("OpenSales after payout = %+v", open)
	}
	po, err := db.Payout(ctx, c.ann, id)
	wantItems := []api.PayoutItem{{PurchaseID: p1, ReleaseID: c.rel, ReleaseTitle: "First Light", AmountCents: 810, Currency: "EUR"},
		{PurchaseID: p2, ReleaseID: c.rel, ReleaseTitle: "First Light", AmountCents: 190, Currency: "EUR"}}
	if err != nil || po.AmountCents != 1000 || po.State != api.PayoutPending || po.PaidAt != nil || !po.CreatedAt.Equal(at) || !reflect.DeepEqual(po.Items, wantItems) {
		t.Fatalf("Payout = %+v, %v", po, err)
	}
	_, err = db.Payout(ctx, c.bob, id)
	wantErr(t, "another creator's payout", err, store.ErrNotFound)
	paid, pending, avail, _, err := db.Balances(ctx, store.Window{ArtistID: c.ann, Currency: "EUR"})
	if err != nil || paid != 0 || pending != 1000 || avail != 1610 {
		t.Fatalf("Balances = %d, %d, %d, %v", paid, pending, avail, err)
	}
	mustTx(t, db, func(tx store.Tx) error {
		amount, cur, err := tx.MarkPayoutPaid(ctx, id, at.Add(time.Hour))
		if err != nil || amount != 1000 || cur != "EUR" {
			return fmt.Errorf("MarkPayoutPaid = %d, %q, %v", amount, cur, err)
		}
		return tx.Post(ctx, store.Entry{Kind: "payout_paid", PayoutID: id, Txn: ledger.PayoutPaid("sandbox", amount, cur), At: at.Add(time.Hour)})
	})
	wantErr(t, "paying twice", db.WithTx(ctx, func(tx store.Tx) error { _, _, err := tx.MarkPayoutPaid(ctx, id, at); return err }), store.ErrNotFound)
	if po, _ := db.Payout(ctx, c.ann, id); po.State != api.PayoutPaid || po.PaidAt == nil || !po.PaidAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("paid payout = %+v", po)
	}
	if paid, pending, _, _, _ := db.Balances(ctx, store.Window{ArtistID: c.ann, Currency: "EUR"}); paid != 1000 || pending != 0 {
		t.Fatalf("Balances after paying = %d paid, %d pending", paid, pending)
	}
	if ids, err := db.PayoutIDs(ctx, c.ann); err != nil || !reflect.DeepEqual(ids, []int64{id}) {
		t.Fatalf("PayoutIDs = %v, %v", ids, err)
	}
	if _, unbalanced, err := db.LedgerCheck(ctx); err != nil || unbalanced != 0 {
		t.Fatalf("LedgerCheck: %d unbalanced, %v", unbalanced, err)
	}
}

// TestEarnings: sales and refunds group by UTC month and day, refunds by
// when they happened; windows are [From, To).
func TestEarnings(t *testing.T) {
	t.Parallel()
	db, _ := mustOpen(t)
	ctx := context.Background()
	c := newCatalog(t, db)
	if cur, err := db.MainCurrency(ctx, c.ann); err != nil || cur != "EUR" {
		t.Fatalf("MainCurrency with a release only = %q, %v", cur, err)
	}
	if cur, err := db.MainCurrency(ctx, c.fan); err != nil || cur != "" {
		t.Fatalf("MainCurrency of a fan = %q, %v", cur, err)
	}
	mar31 := t0                                         // 2025-03-31 23:30:00.123 UTC
	apr1 := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC) // a minute later in Paris it is already April 1st: UTC decides
	p1 := sell(t, db, c, c.fan, 1000, mar31, true)
	p2 := sell(t, db, c, c.fan2, 2000, apr1, false)
	fan3 := mustAccount(t, db, "fan3@example.com", false)
	sell(t, db, c, fan3, 500, apr1.Add(26*time.Hour), false)
	refund(t, db, c, p1, 300, apr1.Add(time.Hour)) // a March sale refunded in April

	all := store.Window{ArtistID: c.ann, Currency: "EUR"}
	rows, refunded, err := db.EarningsByPeriod(ctx, all, false)
	want := []api.EarningsRow{
		{Period: "2025-03", Sales: 1, GrossCents: 1000, CreatorCents: 900, PlatformCents: 100},
		{Period: "2025-04", Sales: 2, GrossCents: 2500, CreatorCents: 2250, PlatformCents: 250, RefundedCents: 300},
	}
	if err != nil || refunded != 300 || !reflect.DeepEqual(rows, want) {
		t.Fatalf("by month = %+v, %d, %v; want %+v", rows, refunded, err, want)
	}
	rows, _, err = db.EarningsByPeriod(ctx, all, true)
	want = []api.EarningsRow{
		{Period: "2025-03-31", Sales: 1, GrossCents: 1000, CreatorCents: 900, PlatformCents: 100},
		{Period: "2025-04-01", Sales: 1, GrossCents: 2000, CreatorCents: 1800, PlatformCents: 200, RefundedCents: 300},
		{Period: "2025-04-02", Sales: 1, GrossCents: 500, CreatorCents: 450, PlatformCents: 50},
	}
	if err != nil || !reflect.DeepEqual(rows, want) {
		t.Fatalf("by day = %+v, %v; want %+v", rows, err, want)
	}
	// A window holding only the refund's hour: a row of refunds alone.
	w := store.Window{ArtistID: c.ann, Currency: "EUR", From: apr1.Add(30 * time.Minute), To: apr1.Add(2 * time.Hour)}
	rows, refunded, err = db.EarningsByPeriod(ctx, w, true)
	if want := []api.EarningsRow{{Period: "2025-04-01", RefundedCents: 300}}; err != nil || refunded != 300 || !reflect.DeepEqual(rows, want) {
		t.Fatalf("refund-only window = %+v, %d, %v", rows, refunded, err)
	}
	// To is exclusive, From inclusive.
	w = store.Window{ArtistID: c.ann, Currency: "EUR", From: apr1, To: apr1.Add(26 * time.Hour)}
	if rows, _, _ := db.EarningsByPeriod(ctx, w, false); len(rows) != 1 || rows[0].Sales != 1 || rows[0].GrossCents != 2000 {
		t.Fatalf("window [apr1, apr2 02:00) = %+v", rows)
	}
	if rows, _, _ := db.EarningsByPeriod(ctx, store.Window{ArtistID: c.ann, Currency: "USD"}, false); len(rows) != 0 {
		t.Fatalf("USD rows = %+v", rows)
	}

	// By release: the refund counts against its release only when its sale
	// is in the window too; the total counts every refund in the window.
	rows, refunded, err = db.EarningsByRelease(ctx, all)
	want = []api.EarningsRow{{ReleaseID: c.rel, ReleaseTitle: "First Light", Sales: 3, GrossCents: 3500, CreatorCents: 3150, PlatformCents: 350, RefundedCents: 300}}
	if err != nil || refunded != 300 || !reflect.DeepEqual(rows, want) {
		t.Fatalf("by release = %+v, %d, %v", rows, refunded, err)
	}
	rows, refunded, err = db.EarningsByRelease(ctx, store.Window{ArtistID: c.ann, Currency: "EUR", From: apr1})
	want = []api.EarningsRow{{ReleaseID: c.rel, ReleaseTitle: "First Light", Sales: 2, GrossCents: 2500, CreatorCents: 2250, PlatformCents: 250}}
	if err != nil || refunded != 300 || !reflect.DeepEqual(rows, want) {
		t.Fatalf("by release from April = %+v, %d, %v", rows, refunded, err)
	}

	lines, err := db.Statement(ctx, all)
	if err != nil || len(lines) != 4 {
		t.Fatalf("Statement = %+v, %v", lines, err)
	}
	if l := lines[0]; l.Type != "sale" || l.ID != fmt.Sprintf("P%d", p1) || l.Fan != "fan" || l.GrossCents != 1000 || !l.Date.Equal(mar31.Truncate(time.Millisecond)) || l.Currency != "EUR" {
		t.Fatalf("first line = %+v", l)
	}
	if l := lines[1]; l.Type != "sale" || l.ID != fmt.Sprintf("P%d", p2) {
		t.Fatalf("second line = %+v", l)
	}
	if l := lines[2]; l.Type != "refund" || l.GrossCents != -300 || l.CreatorCents != -270 || l.Fan != "fan" || l.Release != "First Light" {
		t.Fatalf("refund line = %+v", l)
	}

	if cur, _ := db.MainCurrency(ctx, c.ann); cur != "EUR" {
		t.Fatalf("MainCurrency = %q", cur)
	}
	mustTx(t, db, func(tx store.Tx) error { return tx.InsertFollow(ctx, c.fan2, c.ann, t0) })
	mustTx(t, db, func(tx store.Tx) error { return tx.InsertFollow(ctx, c.fan2, c.ann, t0) }) // twice is once
	bobFan := mustAccount(t, db, "carol@example.com", false)
	mustTx(t, db, func(tx store.Tx) error { return tx.InsertFollow(ctx, bobFan, c.ann, t0) })
	fans, err := db.Fans(ctx, c.ann)
	if err != nil || len(fans) != 4 {
		t.Fatalf("Fans = %+v, %v", fans, err)
	}
	if f := fans[0]; f.AccountID != c.fan2 || f.TotalCents != 2000 || f.Purchases != 1 || f.Email != "" || !f.Follower ||
		!f.FirstPurchaseAt.Equal(apr1) || !f.LastPurchaseAt.Equal(apr1) {
		t.Fatalf("biggest fan = %+v", f)
	}
	if f := fans[1]; f.AccountID != c.fan || f.TotalCents != 700 || f.Email != "fan@example.com" || f.Follower || f.Currency != "EUR" {
		t.Fatalf("second fan = %+v", f)
	}
	if f := fans[2]; f.AccountID != fan3 || f.TotalCents != 500 || f.Purchases != 1 || !f.LastPurchaseAt.Equal(apr1.Add(26*time.Hour)) || f.Follower {
		t.Fatalf("third fan = %+v", f)
	}
	if f := fans[3]; f.AccountID != bobFan || f.TotalCents != 0 || f.Purchases != 0 || f.FirstPurchaseAt != nil || !f.Follower || f.Email != "" {
		t.Fatalf("follower = %+v", f)
	}
	mustTx(t, db, func(tx store.Tx) error { return tx.DeleteFollow(ctx, bobFan, c.ann) })
	if fans, _ := db.Fans(ctx, c.ann); len(fans) != 3 {
		t.Fatalf("Fans after unfollow = %+v", fans)
	}
}

func TestReceiptKeys(t *testing.T) {
	t.Parallel()
	db, _ := mustOpen(t)
	ctx := context.Background()
	_, err := db.ActiveReceiptKey(ctx)
	wantErr(t, "no key yet", err, store.ErrNotFound)
	var keys []receipt.Key
	for i := range 3 {
		k, err := receipt.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
		mustTx(t, db, func(tx store.Tx) error { return tx.InsertReceiptKey(ctx, k, t0.Add(time.Duration(i/2)*time.Second)) })
	}
	active, err := db.ActiveReceiptKey(ctx)
	if err != nil || active.ID != keys[2].ID || !active.Private.Equal(keys[2].Private) {
		t.Fatalf("ActiveReceiptKey = %v, %v; want the newest", active.ID, err)
	}
	pubs, err := db.ReceiptPublicKeys(ctx)
	if err != nil || len(pubs) != 3 {
		t.Fatalf("ReceiptPublicKeys = %+v, %v", pubs, err)
	}
	for i, want := range []int{2, 1, 0} {
		if jwk := receipt.PublicJWK(keys[want].ID, keys[want].Public()); pubs[i] != jwk {
			t.Errorf("key %d = %+v, want %+v", i, pubs[i], jwk)
		}
	}
}

// TestLightTxCommits: a light transaction's writes are there afterwards,
// and a failing one leaves nothing.
func TestLightTxCommits(t *testing.T) {
	t.Parallel()
	db, _ := mustOpen(t)
	ctx := context.Background()
	ann := mustAccount(t, db, "ann@example.com", true)
	if err := db.WithLightTx(ctx, func(tx store.Tx) error {
		return tx.InsertUpload(ctx, api.Upload{ID: "u1", AccountID: ann, SHA256: sha(1), Size: 5, CreatedAt: t0})
	}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := db.WithLightTx(ctx, func(tx store.Tx) error {
		if err := tx.InsertUpload(ctx, api.Upload{ID: "u2", AccountID: ann, SHA256: sha(2), Size: 7, CreatedAt: t0}); err != nil {
			return err
		}
		return boom
	})
	wantErr(t, "failing light tx", err, boom)
	if used, _ := db.UsedBytes(ctx, ann); used != 5 {
		t.Fatalf("UsedBytes = %d, want 5", used)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestDeleteSoldReleaseIsAConflict: deleting a release a sale refers to
// (sold after the check that it had none) is ErrConflict, not a failure.
func TestDeleteSoldReleaseIsAConflict(t *testing.T) {
	t.Parallel()
	db, _ := mustOpen(t)
	c := newCatalog(t, db)
	sell(t, db, c, c.fan, 1000, t0, false)
	err := db.WithTx(context.Background(), func(tx store.Tx) error { return tx.DeleteRelease(context.Background(), c.rel) })
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("DeleteRelease of a sold release = %v, want ErrConflict", err)
	}
}
