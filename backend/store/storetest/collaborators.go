package storetest

import (
	"context"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
)

// testCollaboratorSplits: a release shared 50/30/20 pays each payee their
// floor of the creator part with the remainder to the owner; refunds take
// each part back to the last cent; each payee sees their own earnings and
// statement only.
func testCollaboratorSplits(t *testing.T, s Services) {
	t1 := at(t, "2026-09-01T10:00:00Z")
	clk := setClock(s, t1)
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	cy := signUp(t, s, "cy", true)
	fan := signUp(t, s, "fan", false)
	m := manifest(t, s, ann, "Trio", 999, "EUR", 1)

	for _, c := range []struct {
		collab []api.ManifestCollaborator
		field  string
	}{
		{[]api.ManifestCollaborator{{Email: email("nobody"), ShareBps: 1000}}, "collaborators[0].email"},
		{[]api.ManifestCollaborator{{Email: email("fan"), ShareBps: 1000}}, "collaborators[0].email"},
		{[]api.ManifestCollaborator{{Email: email("bob"), ShareBps: 10_000}}, "collaborators"},
		{[]api.ManifestCollaborator{{Email: email("ann"), ShareBps: 5000}, {Email: email("bob"), ShareBps: 3000}}, "collaborators"},
		{[]api.ManifestCollaborator{{Email: email("bob"), ShareBps: 3000}, {Email: email("bob"), ShareBps: 2000}}, "collaborators[1].email"},
	} {
		m.Collaborators = c.collab
		_, err := s.Releases.CreateRelease(ann, m)
		if e, ok := err.(*api.Error); !ok || e.Code != api.EINVALID || e.Field != c.field {
			t.Fatalf("collaborators %+v: %v; want invalid %s", c.collab, err, c.field)
		}
	}
	m.Collaborators = []api.ManifestCollaborator{{Email: email("bob"), ShareBps: 3000}, {Email: email("cy"), ShareBps: 2000}}
	rel, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	if rel, err = s.Releases.PublishRelease(ann, rel.ID); err != nil {
		t.Fatal(err)
	}
	owner, err := s.Releases.FindRelease(ann, rel.ID)
	want := []api.Collaborator{{AccountID: id(ann), Name: "ann", Email: email("ann"), ShareBps: 5000, Owner: true},
		{AccountID: id(bob), Name: "bob", Email: email("bob"), ShareBps: 3000}, {AccountID: id(cy), Name: "cy", Email: email("cy"), ShareBps: 2000}}
	if err != nil || len(owner.Collaborators) != 3 || owner.Collaborators[0] != want[0] || owner.Collaborators[1] != want[1] || owner.Collaborators[2] != want[2] {
		t.Fatalf("owner's view = %+v, %v", owner.Collaborators, err)
	}
	if other, err := s.Releases.FindRelease(bob, rel.ID); err != nil || other.Collaborators != nil {
		t.Fatalf("a collaborator's view of the release = %+v, %v", other.Collaborators, err)
	}

	p := buy(t, s, fan, rel, 999)
	if p.CreatorCents != 900 || p.PlatformCents != 99 {
		t.Fatalf("purchase = %+v", p)
	}
	parts := map[string]int64{"ann": 450, "bob": 270, "cy": 180}
	for name, ctx := range map[string]context.Context{"ann": ann, "bob": bob, "cy": cy} {
		e, err := s.Earnings.Earnings(ctx, api.EarningsFilter{Currency: "EUR"})
		if err != nil || e.Totals.Sales != 1 || e.Totals.GrossCents != 999 || e.Totals.CreatorCents != parts[name] ||
			e.Totals.PlatformCents != 99 || e.Totals.AvailableCents != parts[name] {
			t.Fatalf("%s's earnings = %+v, %v", name, e, err)
		}
		lines, err := s.Earnings.Statement(ctx, api.EarningsFilter{Currency: "EUR"})
		if err != nil || len(lines) != 1 || lines[0].CreatorCents != parts[name] || lines[0].GrossCents != 999 || lines[0].Fan != "fan" {
			t.Fatalf("%s's statement = %+v, %v", name, lines, err)
		}
	}
	if _, err := s.Purchases.RefundPurchase(bob, p.ID, 100); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("a collaborator refunding: %v", err)
	}

	// 5.05 back: platform 0.50, creator 4.55 = 2.28 + 1.36 + 0.91; then the
	// rest, 4.94: 0.49 and 4.45 = 2.22 + 1.34 + 0.89. Everyone ends at 0.
	clk.set(t1.Add(1))
	refund(t, s, ann, p.ID, 505)
	refunds := map[string]int64{"ann": 228, "bob": 136, "cy": 91}
	for name, ctx := range map[string]context.Context{"ann": ann, "bob": bob, "cy": cy} {
		e, err := s.Earnings.Earnings(ctx, api.EarningsFilter{Currency: "EUR"})
		if err != nil || e.Totals.AvailableCents != parts[name]-refunds[name] || e.Totals.RefundedCents != 505 {
			t.Fatalf("%s after 5.05 back: %+v, %v; want %d available", name, e.Totals, err, parts[name]-refunds[name])
		}
	}
	refund(t, s, ann, p.ID, 494)
	for name, ctx := range map[string]context.Context{"ann": ann, "bob": bob, "cy": cy} {
		e, err := s.Earnings.Earnings(ctx, api.EarningsFilter{Currency: "EUR"})
		if err != nil || e.Totals.AvailableCents != 0 || e.Totals.RefundedCents != 999 {
			t.Fatalf("%s after the full refund: %+v, %v", name, e.Totals, err)
		}
		lines, err := s.Earnings.Statement(ctx, api.EarningsFilter{Currency: "EUR"})
		var sum int64
		for _, l := range lines {
			sum += l.CreatorCents
		}
		if err != nil || len(lines) != 3 || sum != 0 {
			t.Fatalf("%s's statement after the refunds = %+v, %v", name, lines, err)
		}
	}
	sums, unbalanced, err := s.Store.LedgerCheck(context.Background())
	if err != nil || unbalanced != 0 || sums["EUR"] != 0 {
		t.Fatalf("ledger = %v, %d, %v", sums, unbalanced, err)
	}
	for _, who := range []context.Context{ann, bob, cy} {
		if bal, err := s.Store.CreatorBalance(context.Background(), id(who), "EUR"); err != nil || bal != 0 {
			t.Fatalf("balance of %s = %d, %v", ledger.CreatorAccount(id(who)), bal, err)
		}
	}
}
