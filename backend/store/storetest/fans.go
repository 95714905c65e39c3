package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// testFans: buyers and followers, biggest supporters first, each with
// what they spent net of refunds, their first and last purchase, and
// their email only if they shared it with some purchase.
func testFans(t *testing.T, s Services) {
	t1 := at(t, "2026-09-01T10:00:00.001Z")
	clk := setClock(s, t1)
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	amy := signUp(t, s, "amy", false)
	ben := signUp(t, s, "ben", false)
	cat := signUp(t, s, "cat", false)
	dan := signUp(t, s, "dan", false)
	eve := signUp(t, s, "eve", false)
	a := release(t, s, ann, "A", 1000, "EUR", 1)
	b := release(t, s, ann, "B", 500, "EUR", 1)
	t2, t3, t4 := t1.Add(time.Hour), t1.Add(2*time.Hour), t1.Add(3*time.Hour)
	shared := func(rel *api.Release, share bool) api.PurchaseCreate {
		in := checkout(rel, rel.PriceCents)
		in.ShareEmail = share
		return in
	}
	buyWith(t, s, amy, shared(a, true))
	clk.set(t2)
	p := buyWith(t, s, ben, shared(a, false))
	refund(t, s, ann, p.ID, 400)
	clk.set(t3)
	buyWith(t, s, amy, shared(b, false)) // one shared purchase is enough
	clk.set(t4)
	buyWith(t, s, dan, shared(b, true))
	for _, ctx := range []context.Context{cat, dan} {
		if err := s.Earnings.Follow(ctx, id(ann)); err != nil {
			t.Fatal(err)
		}
	}
	buyWith(t, s, eve, shared(release(t, s, bob, "Bob's", 700, "EUR", 1), true)) // not ann's fan
	if err := s.Earnings.Follow(eve, id(bob)); err != nil {
		t.Fatal(err)
	}

	fans(t, s, ann,
		api.Fan{AccountID: id(amy), DisplayName: "amy", Email: "amy@example.com", Currency: "EUR", TotalCents: 1500, Purchases: 2, FirstPurchaseAt: &t1, LastPurchaseAt: &t3},
		api.Fan{AccountID: id(ben), DisplayName: "ben", Currency: "EUR", TotalCents: 600, Purchases: 1, FirstPurchaseAt: &t2, LastPurchaseAt: &t2},
		api.Fan{AccountID: id(dan), DisplayName: "dan", Email: "dan@example.com", Currency: "EUR", TotalCents: 500, Purchases: 1, FirstPurchaseAt: &t4, LastPurchaseAt: &t4, Follower: true},
		api.Fan{AccountID: id(cat), DisplayName: "cat", Follower: true},
	)
	fans(t, s, bob, api.Fan{AccountID: id(eve), DisplayName: "eve", Email: "eve@example.com", Currency: "EUR", TotalCents: 700, Purchases: 1, FirstPurchaseAt: &t4, LastPurchaseAt: &t4, Follower: true})
}

// testFollowUnfollow: following is idempotent and only of other creators;
// unfollowing is idempotent and leaves purchases in place.
func testFollowUnfollow(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	other := signUp(t, s, "other", false)
	for range 2 {
		if err := s.Earnings.Follow(fan, id(ann)); err != nil {
			t.Fatal(err)
		}
	}
	fans(t, s, ann, api.Fan{AccountID: id(fan), DisplayName: "fan", Follower: true})
	following(t, s, fan, id(ann), true)
	following(t, s, ann, id(fan), false) // one way only
	following(t, s, other, id(ann), false)
	following(t, s, context.Background(), id(ann), false)
	for _, c := range []struct {
		ctx    context.Context
		artist int64
		code   string
	}{
		{fan, id(other), api.ENOTFOUND}, // not a creator
		{fan, 1 << 40, api.ENOTFOUND},
		{ann, id(ann), api.ECONFLICT},
		{context.Background(), id(ann), api.EUNAUTHORIZED},
	} {
		code(t, s.Earnings.Follow(c.ctx, c.artist), c.code)
	}
	for range 2 {
		if err := s.Earnings.Unfollow(fan, id(ann)); err != nil {
			t.Fatal(err)
		}
	}
	fans(t, s, ann)
	following(t, s, fan, id(ann), false)
	if err := s.Earnings.Unfollow(fan, 1<<40); err != nil {
		t.Fatalf("unfollow someone never followed: %v", err)
	}
	code(t, s.Earnings.Unfollow(context.Background(), id(ann)), api.EUNAUTHORIZED)

	// A buyer who stops following stays a fan.
	p := buy(t, s, fan, release(t, s, ann, "Kept", 300, "EUR", 1), 300)
	if err := s.Earnings.Follow(fan, id(ann)); err != nil {
		t.Fatal(err)
	}
	if err := s.Earnings.Unfollow(fan, id(ann)); err != nil {
		t.Fatal(err)
	}
	fans(t, s, ann, api.Fan{AccountID: id(fan), DisplayName: "fan", Currency: "EUR", TotalCents: 300, Purchases: 1, FirstPurchaseAt: &p.CreatedAt, LastPurchaseAt: &p.CreatedAt})
}

// fans checks a creator's fan list.
func fans(t *testing.T, s Services, ctx context.Context, want ...api.Fan) {
	t.Helper()
	got, err := s.Earnings.Fans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want == nil {
		want = []api.Fan{}
	}
	same(t, "fans", got.Items, want)
}

// following checks whether the caller of ctx follows an artist.
func following(t *testing.T, s Services, ctx context.Context, artistID int64, want bool) {
	t.Helper()
	got, err := s.Earnings.Following(ctx, artistID)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("following artist %d: got %v, want %v", artistID, got, want)
	}
}
