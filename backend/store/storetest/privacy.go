package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/backend/store"
)

// testPrivacyRecords: what a person's export reads, exactly: sessions
// without tokens, follows, email choices, purchases by page, files and
// what keeps an account from being deleted.
func testPrivacyRecords(t *testing.T, s Services) {
	now := at(t, "2026-03-01T10:00:00.123Z")
	setClock(s, now)
	bg := context.Background()
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	rel := release(t, s, ann, "Night Drive", 1000, "EUR", 1)
	p := buy(t, s, fan, rel, 1000)
	if _, err := s.Announcements.SetFollow(fan, id(ann), api.MailPrefs{Email: true, ShareEmail: true}); err != nil {
		t.Fatal(err)
	}
	annProfile, err := s.Store.Profile(bg, id(ann))
	if err != nil {
		t.Fatal(err)
	}

	sessions, err := s.Store.AccountSessions(bg, id(fan))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "sessions", sessions, []store.SessionRecord{{ID: api.CallerFromContext(fan).SessionID, CreatedAt: now, ExpiresAt: now.Add(service.SessionLifetime)}})
	follows, err := s.Store.FollowRecords(bg, id(fan))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "follows", follows, []store.FollowRecord{{ArtistID: id(ann), ArtistName: "ann", Handle: annProfile.Handle, CreatedAt: now}})
	prefs, err := s.Store.MailPrefRecords(bg, id(fan))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "email choices", prefs, []store.MailPrefRecord{{ArtistID: id(ann), Email: true, ShareEmail: true, UpdatedAt: now}})

	buys, err := s.Store.PurchaseRecords(bg, id(fan), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "purchases", buys, []store.PurchaseRecord{{ID: p.ID, ReleaseID: rel.ID, ArtistID: id(ann), ReleaseTitle: "Night Drive",
		GrossCents: 1000, FeeCents: 40 /* the sandbox card fee */, CreatorCents: p.CreatorCents, PlatformCents: p.PlatformCents, Currency: "EUR", Provider: "sandbox",
		Receipt: p.Receipt, CreatedAt: now}})
	if p.CreatorCents+p.PlatformCents != 1000 || p.CreatorCents == 0 {
		t.Fatalf("split %d + %d", p.CreatorCents, p.PlatformCents)
	}
	next, err := s.Store.PurchaseRecords(bg, id(fan), p.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "purchases after the last", next, []store.PurchaseRecord{})

	blobs, err := s.Store.OwnedBlobs(bg, id(ann))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "files", blobs, []store.OwnedBlob{{SHA256: rel.Tracks[0].AudioSHA256, Size: 100, MediaType: api.MediaMP3, DurationMS: 60_000, OwnedSince: now}})
	for name, list := range map[string]func() (int, error){
		"gifts received": func() (int, error) { g, err := s.Store.GiftsReceived(bg, id(fan)); return lenOrNil(g, err) },
		"redemptions":    func() (int, error) { r, err := s.Store.Redemptions(bg, id(fan)); return lenOrNil(r, err) },
		"fan's files":    func() (int, error) { b, err := s.Store.OwnedBlobs(bg, id(fan)); return lenOrNil(b, err) },
	} {
		if n, err := list(); err != nil || n != 0 {
			t.Fatalf("%s: %d, %v; want an empty list", name, n, err)
		}
	}

	o, err := s.Store.Obligations(bg, id(ann))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "creator's obligations", *o, store.Obligations{PublishedReleases: []int64{rel.ID}, SharedReleases: []int64{},
		Balances: map[string]int64{"EUR": p.CreatorCents}})
	o, err = s.Store.Obligations(bg, id(fan))
	if err != nil || !o.None() {
		t.Fatalf("fan's obligations = %+v, %v; want none", o, err)
	}
	if at, err := s.Store.AccountDeletedAt(bg, id(fan)); err != nil || !at.IsZero() {
		t.Fatalf("deleted at = %v, %v; want zero", at, err)
	}
}

// lenOrNil is a list's length, or -1 for a nil list (the JSON would say
// null, not []).
func lenOrNil[T any](l []T, err error) (int, error) {
	if l == nil {
		return -1, err
	}
	return len(l), err
}

// testDeleteAccount: a deleted account keeps its id and its sales, and
// nothing that names its owner; its handle stays reserved; the books and
// the creator's balance do not move; mail still queued to it is dropped.
func testDeleteAccount(t *testing.T, s Services) {
	now := at(t, "2026-03-01T10:00:00Z")
	clk := setClock(s, now)
	bg := context.Background()
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	rel := release(t, s, ann, "Night Drive", 1000, "EUR", 1)
	p := buy(t, s, fan, rel, 1000)
	if _, err := s.Announcements.SetFollow(fan, id(ann), api.MailPrefs{Email: true, ShareEmail: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Profiles.UpdateProfile(fan, api.Profile{Handle: "fanpage", DisplayName: "fan", Bio: "hi", Links: []string{"https://example.com/"}}); err != nil {
		t.Fatal(err)
	}
	err := s.Store.WithTx(bg, func(tx store.Tx) error {
		for i, to := range []string{"FAN@example.com", "other@example.com"} {
			if _, err := tx.QueueMail(bg, store.Mail{Key: fmt.Sprint("m", i), To: to, Subject: "s", Text: "t", HTML: "h", NextAt: now, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	balance := creatorBalance(t, s, ann, "EUR")

	field(t, s.Privacy.DeleteAccount(fan, api.AccountDeletion{Password: "wrong one", Confirm: api.DeleteWord}), "password")
	field(t, s.Privacy.DeleteAccount(fan, api.AccountDeletion{Password: password("fan"), Confirm: "yes"}), "confirm")
	err = s.Privacy.DeleteAccount(ann, api.AccountDeletion{Password: password("ann"), Confirm: api.DeleteWord})
	code(t, err, api.ECONFLICT)

	clk.set(now.Add(time.Hour))
	if err := s.Privacy.DeleteAccount(fan, api.AccountDeletion{Password: password("fan"), Confirm: api.DeleteWord}); err != nil {
		t.Fatal(err)
	}
	a, err := s.Store.Account(bg, id(fan))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "account", *a, api.Account{ID: id(fan), Email: store.DeletedEmail(id(fan)), DisplayName: store.DeletedName, CreatedAt: now})
	if at, err := s.Store.AccountDeletedAt(bg, id(fan)); err != nil || !at.Equal(now.Add(time.Hour)) {
		t.Fatalf("deleted at = %v, %v", at, err)
	}
	prof, err := s.Store.Profile(bg, id(fan))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "profile", *prof, api.Profile{DisplayName: store.DeletedName, Links: []string{}})
	if _, _, err := s.Store.AccountByEmail(bg, email("fan")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the old address still finds the account: %v", err)
	}
	if _, _, err := s.Store.AccountByHandle(bg, "fanpage"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the old handle still finds the account: %v", err)
	}
	_, err = s.Profiles.UpdateProfile(ann, api.Profile{Handle: "fanpage", DisplayName: "ann"})
	code(t, err, api.ECONFLICT)
	for name, n := range map[string]func() (int, error){
		"sessions":      func() (int, error) { l, err := s.Store.AccountSessions(bg, id(fan)); return lenOrNil(l, err) },
		"follows":       func() (int, error) { l, err := s.Store.FollowRecords(bg, id(fan)); return lenOrNil(l, err) },
		"email choices": func() (int, error) { l, err := s.Store.MailPrefRecords(bg, id(fan)); return lenOrNil(l, err) },
	} {
		if got, err := n(); err != nil || got != 0 {
			t.Fatalf("%s after deletion: %d, %v", name, got, err)
		}
	}
	if _, err := s.Store.MailByKey(bg, "m0"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("mail queued to the deleted address: %v", err)
	}
	if m, err := s.Store.MailByKey(bg, "m1"); err != nil || m.To != "other@example.com" {
		t.Fatalf("someone else's mail: %+v, %v", m, err)
	}

	// The books.
	buys, err := s.Store.PurchaseRecords(bg, id(fan), 0, 10)
	if err != nil || len(buys) != 1 || buys[0].ID != p.ID || buys[0].GrossCents != 1000 || buys[0].Receipt != p.Receipt {
		t.Fatalf("the sale after deletion: %+v, %v", buys, err)
	}
	if got := verify(t, s, p.Receipt); got.PurchaseID != p.ID {
		t.Fatalf("receipt names purchase %d", got.PurchaseID)
	}
	balanced(t, s)
	if got := creatorBalance(t, s, ann, "EUR"); got != balance {
		t.Fatalf("creator balance = %d, want %d", got, balance)
	}
	fans, err := s.Earnings.Fans(ann)
	if err != nil {
		t.Fatal(err)
	}
	if len(fans.Items) != 1 || fans.Items[0].DisplayName != store.DeletedName || fans.Items[0].Email != "" || fans.Items[0].TotalCents != 1000 {
		t.Fatalf("fans = %+v", fans.Items)
	}
	err = s.Store.WithTx(bg, func(tx store.Tx) error { return tx.AnonymizeAccount(bg, id(fan), now) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
}

// testDeleteAccountWhileSigningIn: a sign-in whose password was checked
// before the account was deleted, and whose session is written after,
// gets no session: a deleted account never has one.
func testDeleteAccountWhileSigningIn(t *testing.T, s Services) {
	bg := context.Background()
	for i := range 30 {
		name := fmt.Sprintf("fan%d", i)
		ctx := signUp(t, s, name, false)
		errs := parallel(2, func(j int) error {
			if j == 0 {
				_, err := s.Accounts.CreateSession(bg, api.Credentials{Email: email(name), Password: password(name)})
				if api.ErrorCode(err) == api.EUNAUTHORIZED {
					return nil // refused after the deletion: as it should
				}
				return err
			}
			return s.Privacy.DeleteAccount(ctx, api.AccountDeletion{Password: password(name), Confirm: api.DeleteWord})
		})
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		sessions, err := s.Store.AccountSessions(bg, id(ctx))
		if err != nil {
			t.Fatal(err)
		}
		if len(sessions) != 0 {
			t.Fatalf("round %d: the deleted account has %d sessions", i, len(sessions))
		}
	}
}
