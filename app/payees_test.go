package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

func collab(email string, bps int64) api.ManifestCollaborator {
	return api.ManifestCollaborator{Email: email, ShareBps: bps}
}

// The window shows each payee's cents as the ledger divides them: the
// platform's floor(10 %), each collaborator's floor of their part of the
// rest, every remainder cent to the owner.
func TestSplitPayeesIsTheLedgersRule(t *testing.T) {
	const owner = "ann@example.com"
	bob, cy := collab("bob@example.com", 3000), collab("cy@example.com", 2000)
	for _, c := range []struct {
		name                 string
		gross                int64
		list                 []api.ManifestCollaborator
		platform, creator    int64
		ownerBps, ownerCents int64
		collaboratorsCents   []int64
		ownerListedAt        int // -1: not listed
	}{
		// 999 → platform 99, creator 900: 30 % = 270, 20 % = 180, the owner's 50 % = 450.
		{"999 split 50/30/20, owner keeps the rest", 999, []api.ManifestCollaborator{bob, cy}, 99, 900, 5000, 450, []int64{270, 180}, -1},
		// 1001 → creator 901: 270.3 → 270, 180.2 → 180, the owner 451 (exactly 450.5).
		{"remainder cents go to the owner", 1001, []api.ManifestCollaborator{bob, cy}, 100, 901, 5000, 451, []int64{270, 180}, -1},
		{"the owner listed by address", 1001, []api.ManifestCollaborator{collab("ANN@example.com", 5000), bob, cy}, 100, 901, 5000, 451, []int64{451, 270, 180}, 0},
		// 100 → creator 90: thirds of 30 each; 33.33 % of 90 = 29.997 → 29, the owner 32.
		{"thirds", 100, []api.ManifestCollaborator{collab("b@x.io", 3333), collab("c@x.io", 3333)}, 10, 90, 3334, 32, []int64{29, 29}, -1},
		{"no collaborators", 999, nil, 99, 900, 10_000, 900, []int64{}, -1},
		{"free", 0, []api.ManifestCollaborator{bob}, 0, 0, 7000, 0, []int64{0}, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := RulesAPI{}.SplitPayees(c.gross, owner, c.list)
			if err != nil || got.Problem != nil {
				t.Fatalf("SplitPayees = %+v, %v", got.Problem, err)
			}
			if got.Gross != c.gross || got.Platform != c.platform || got.Creator != c.creator || got.OwnerBps != c.ownerBps || got.OwnerCents != c.ownerCents {
				t.Fatalf("split = %+v; want platform %d, creator %d, owner %d bps = %d cents", got, c.platform, c.creator, c.ownerBps, c.ownerCents)
			}
			var cents []int64
			sum := got.Platform
			for i, p := range got.Collaborators {
				cents = append(cents, p.Cents)
				if p.Owner != (i == c.ownerListedAt) || p.ShareBps != c.list[i].ShareBps {
					t.Errorf("row %d = %+v", i, p)
				}
				if !p.Owner {
					sum += p.Cents
				}
			}
			if cents == nil {
				cents = []int64{}
			}
			if !reflect.DeepEqual(cents, c.collaboratorsCents) {
				t.Errorf("collaborators get %v, want %v", cents, c.collaboratorsCents)
			}
			if sum+got.OwnerCents != c.gross {
				t.Errorf("the parts add up to %d, not %d", sum+got.OwnerCents, c.gross)
			}
		})
	}
	if _, err := (RulesAPI{}).SplitPayees(-1, owner, nil); decodeUIError(t, err)["field"] != "amount_cents" {
		t.Errorf("SplitPayees(-1) = %v, want an amount_cents error", err)
	}
}

// A list the platform would refuse comes back with the field at fault and
// a reason the window translates, and no cents.
func TestSplitPayeesNamesWhatIsWrong(t *testing.T) {
	const owner = "ann@example.com"
	nine := []api.ManifestCollaborator{}
	for _, e := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		nine = append(nine, collab(e+"@x.io", 100))
	}
	for _, c := range []struct {
		name          string
		list          []api.ManifestCollaborator
		field, reason string
	}{
		{"not an address", []api.ManifestCollaborator{collab("bob", 3000)}, "collaborators[0].email", ReasonEmail},
		{"an empty address", []api.ManifestCollaborator{collab("bob@x.io", 3000), collab("  ", 1000)}, "collaborators[1].email", ReasonEmail},
		{"listed twice", []api.ManifestCollaborator{collab("bob@x.io", 3000), collab("Bob@X.io", 1000)}, "collaborators[1].email", ReasonTwice},
		{"no share", []api.ManifestCollaborator{collab("bob@x.io", 0)}, "collaborators[0].share_bps", ReasonShare},
		{"over 100 % alone", []api.ManifestCollaborator{collab("bob@x.io", 10_001)}, "collaborators[0].share_bps", ReasonShare},
		{"over 100 % together", []api.ManifestCollaborator{collab("bob@x.io", 6000), collab("cy@x.io", 5000)}, "collaborators", ReasonOver},
		{"nothing left for the owner", []api.ManifestCollaborator{collab("bob@x.io", 6000), collab("cy@x.io", 4000)}, "collaborators", ReasonNothingLeft},
		{"the owner listed, short of 100 %", []api.ManifestCollaborator{collab(owner, 6000), collab("cy@x.io", 3000)}, "collaborators", ReasonOwnerSum},
		{"eight besides the owner", nine, "collaborators", ReasonTooMany},
		{"nine", append(nine, collab("i@x.io", 100)), "collaborators", ReasonTooMany},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := RulesAPI{}.SplitPayees(999, owner, c.list)
			if err != nil || got.Problem == nil {
				t.Fatalf("SplitPayees = %+v, %v; want a problem", got, err)
			}
			if got.Problem.Field != c.field || got.Problem.Reason != c.reason || got.Problem.Message == "" {
				t.Fatalf("problem = %+v, want %s on %s", got.Problem, c.reason, c.field)
			}
			if got.OwnerCents != 0 || len(got.Collaborators) != 0 {
				t.Fatalf("a refused list was split: %+v", got)
			}
		})
	}
	// A manifest's own check says the same about the fields it checks.
	m := api.Manifest{Title: "-", ArtistName: "-", Currency: "EUR", Collaborators: []api.ManifestCollaborator{collab("bob", 3000)}}
	if p := checkPayees(owner, m.Collaborators); api.ErrorField(m.Validate()) != p.Field || api.ErrorMessage(m.Validate()) != p.Message {
		t.Fatalf("window says %+v, the manifest says %v", p, m.Validate())
	}
}

// Saving collaborators writes them to megabox.json as the manifest has
// them, keeping the price; a refused list writes nothing.
func TestSetCollaboratorsWritesTheSidecar(t *testing.T) {
	x, roots, dir := folderWithoutPlatform(t, "Album")
	if err := x.SetPrice(roots[0].ID, "Album", 999, "EUR", false, 0); err != nil {
		t.Fatal(err)
	}

	err := x.SetCollaborators(roots[0].ID, "Album", []api.ManifestCollaborator{collab("bob@example.com", 6000), collab("cy@example.com", 4000)})
	if got := decodeUIError(t, err); got["field"] != "collaborators" || got["code"] != api.EINVALID {
		t.Fatalf("a list leaving the owner nothing: %v", got)
	}
	if side, _ := sync.ReadSidecar(dir); len(side.Collaborators) != 0 {
		t.Fatalf("a refused list was written: %+v", side.Collaborators)
	}

	if err := x.SetCollaborators(roots[0].ID, "Album", []api.ManifestCollaborator{collab(" bob@example.com ", 3000), collab("cy@example.com", 2000)}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, sync.SidecarName))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "price_cents": 999,
  "currency": "EUR",
  "collaborators": [
    {
      "email": "bob@example.com",
      "share_bps": 3000
    },
    {
      "email": "cy@example.com",
      "share_bps": 2000
    }
  ]
}
`
	if string(b) != want {
		t.Fatalf("megabox.json =\n%s\nwant\n%s", b, want)
	}
	kept, _ := json.Marshal(sidecarRefusal(sync.SidecarName + ": " + api.FieldErrorf("collaborators[1].email", "no creator account").Error()))
	v := x.a.releaseView(roots[0], cache.Release{Dir: "Album", State: sync.StateError, Error: string(kept)})
	if !reflect.DeepEqual(v.Collaborators, []api.ManifestCollaborator{collab("bob@example.com", 3000), collab("cy@example.com", 2000)}) ||
		v.CollaboratorProblem == nil || v.CollaboratorProblem.Field != "collaborators[1].email" {
		t.Fatalf("the view shows %+v, %+v", v.Collaborators, v.CollaboratorProblem)
	}

	if err := x.SetCollaborators(roots[0].ID, "Album", nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, sync.SidecarName)); string(b) != "{\n  \"price_cents\": 999,\n  \"currency\": \"EUR\"\n}\n" {
		t.Fatalf("after removing everyone megabox.json =\n%s", b)
	}
}

// A sync error naming a collaborator's field is shown next to that row.
func TestSyncedProblemReadsThePlatformsRefusal(t *testing.T) {
	refused := &api.Error{Code: api.EINVALID, Field: "collaborators[1].email", Message: "bob@example.com has no creator account"}
	for _, c := range []struct {
		msg  string
		want *PayeeProblem
	}{
		{sync.SidecarName + ": " + refused.Error(), &PayeeProblem{Field: "collaborators[1].email", Reason: ReasonRefused, Message: "bob@example.com has no creator account"}},
		{sync.SidecarName + ": " + api.FieldErrorf("collaborators", "the owner keeps nothing").Error(), &PayeeProblem{Field: "collaborators", Reason: ReasonRefused, Message: "the owner keeps nothing"}},
		{refused.Error(), nil},
		{sync.SidecarName + ": invalid character 'x'", nil},
		{"", nil},
	} {
		if got := syncedProblem(sidecarRefusal(c.msg)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("syncedProblem(%q) = %+v, want %+v", c.msg, got, c.want)
		}
	}
	other := &sync.Problem{Kind: sync.KindRefused, Code: api.EINVALID, Field: "collaborators", Detail: sync.SidecarName + ": " + refused.Error()}
	if got := syncedProblem(other); got != nil {
		t.Errorf("syncedProblem(%+v) = %+v, want nil for a problem of another kind", other, got)
	}
}

// sidecarRefusal is the problem a release folder records when the
// platform refuses a megabox.json field with msg.
func sidecarRefusal(msg string) *sync.Problem {
	if msg == "" {
		return nil
	}
	return &sync.Problem{Kind: sync.KindSidecarInvalid, Code: api.EINVALID, Detail: msg}
}

// What the window shows each payee is what the platform books: a release
// synced from a folder whose megabox.json shares it, bought at two prices,
// leaves the owner and each collaborator the cents the binding showed.
func TestSplitPayeesIsWhatThePlatformBooks(t *testing.T) {
	a, _ := appOn(t, platform.DefaultConfig)
	ctx := t.Context()
	accounts := map[string]*mhttp.Client{"ann@example.com": a.client}
	for _, email := range []string{"bob@example.com", "cy@example.com", "fan1@example.com", "fan2@example.com"} {
		accounts[email] = signedUp(t, a.client.BaseURL(), email, !strings.HasPrefix(email, "fan"))
	}
	music := t.TempDir()
	dir := filepath.Join(music, "Shared")
	os.MkdirAll(dir, 0o755)
	testmedia.MP3(t, filepath.Join(dir, "01 - One.mp3"), 1, 440, testmedia.Tags{Title: "One", Artist: "Ann", Album: "Shared", Track: "1"})
	list := []api.ManifestCollaborator{collab("bob@example.com", 3000), collab("cy@example.com", 2000)}
	price := int64(999)
	if err := sync.WriteSidecar(dir, sync.Sidecar{PriceCents: &price, Currency: "EUR", PayWhatYouWant: true, MinCents: 999, Collaborators: list}); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour) // written long ago: settled, ready to send
	for _, name := range []string{"01 - One.mp3", sync.SidecarName} {
		os.Chtimes(filepath.Join(dir, name), old, old)
	}
	x := &SyncAPI{a}
	if err := x.AddFolder(music); err != nil {
		t.Fatal(err)
	}
	roots, _ := a.cache.Roots(ctx)
	rel, err := x.Publish(roots[0].ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}

	want := map[string]int64{}
	for fan, gross := range map[string]int64{"fan1@example.com": 999, "fan2@example.com": 1001} {
		if _, err := accounts[fan].CreatePurchase(ctx, fan, api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: gross, Currency: "EUR",
			Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}); err != nil {
			t.Fatalf("buy at %d: %v", gross, err)
		}
		shown, err := RulesAPI{}.SplitPayees(gross, "ann@example.com", list)
		if err != nil || shown.Problem != nil {
			t.Fatalf("SplitPayees(%d) = %+v, %v", gross, shown, err)
		}
		want["ann@example.com"] += shown.OwnerCents
		for _, p := range shown.Collaborators {
			want[p.Email] += p.Cents
		}
	}
	for email, cents := range want {
		e, err := accounts[email].Earnings(ctx, api.EarningsFilter{})
		if err != nil {
			t.Fatalf("%s's earnings: %v", email, err)
		}
		if e.Totals.CreatorCents != cents {
			t.Errorf("%s was booked %d cents, the window showed %d", email, e.Totals.CreatorCents, cents)
		}
	}
}

// signedUp is a new account on the platform at base, signed in.
func signedUp(t *testing.T, base, email string, creator bool) *mhttp.Client {
	t.Helper()
	c, err := mhttp.NewClient(base, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAccount(t.Context(), api.AccountCreate{Email: email, Password: "a long enough password", DisplayName: email[:3], Creator: creator}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSession(t.Context(), api.Credentials{Email: email, Password: "a long enough password"}); err != nil {
		t.Fatal(err)
	}
	return c
}

// folderWithoutPlatform is an app watching a music folder holding one
// release folder named name, with no platform behind it: editing a
// folder's sidecar needs none.
func folderWithoutPlatform(t *testing.T, name string) (*SyncAPI, []cache.Root, string) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	a := New(Config{Home: t.TempDir(), PlatformURL: srv.URL, Output: quietOutput{}})
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Shutdown(context.Background()) })
	music := t.TempDir()
	dir := filepath.Join(music, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	x := &SyncAPI{a}
	if err := x.AddFolder(music); err != nil {
		t.Fatal(err)
	}
	roots, err := a.cache.Roots(t.Context())
	if err != nil || len(roots) != 1 {
		t.Fatalf("roots = %v, %v", roots, err)
	}
	return x, roots, dir
}
