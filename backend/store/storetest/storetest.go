// Package storetest is the conformance suite every store.Store driver must
// pass: the platform's services run over the driver and must behave the
// same on each (go-cloud's drivertest shape: one named test per
// capability, each on a fresh, empty store).
package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/backend/store"
)

// Services are the platform's services over the store under test.
type Services struct {
	*service.Services
	Auth    api.Authenticator
	Uploads api.UploadService
	Store   store.Store
}

// Run runs the suite; open returns a fresh, empty store, closed by the
// test's cleanup.
func Run(t *testing.T, openStore func(t *testing.T) store.Store) {
	open := func(t *testing.T) Services {
		st := openStore(t)
		s := service.New(st, auth.NewHasher(auth.DefaultParams, auth.Limits{}), payment.NewSandbox())
		return Services{Services: s, Auth: s.Accounts, Uploads: s.Blobs, Store: st}
	}
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, open(t)) })
	t.Run("Uploads", func(t *testing.T) { testUploads(t, open(t)) })
	t.Run("UsedBytesIsTheSum", func(t *testing.T) { testUsedBytesIsTheSum(t, open(t)) })
	t.Run("Releases", func(t *testing.T) { testReleases(t, open(t)) })
	t.Run("TracksAreTheManifest", func(t *testing.T) { testTracksAreTheManifest(t, open(t)) })
	t.Run("NamesShowWhatTheyContain", func(t *testing.T) { testNamesShowWhatTheyContain(t, open(t)) })
}

func signUp(t *testing.T, s Services, name string, creator bool) context.Context {
	t.Helper()
	ctx := context.Background()
	email := name + "@example.com"
	if _, err := s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: email, Password: "password " + name, DisplayName: name, Creator: creator}); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	sess, err := s.Accounts.CreateSession(ctx, api.Credentials{Email: email, Password: "password " + name})
	if err != nil {
		t.Fatalf("session %s: %v", name, err)
	}
	c, err := s.Auth.Authenticate(ctx, sess.Token)
	if err != nil {
		t.Fatalf("authenticate %s: %v", name, err)
	}
	return api.NewContextWithCaller(ctx, c)
}

func code(t *testing.T, err error, want string) {
	t.Helper()
	if got := api.ErrorCode(err); got != want {
		t.Fatalf("err = %v, want code %q", err, want)
	}
}

func testAccounts(t *testing.T, s Services) {
	ctx := context.Background()
	a, err := s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "ann@example.com", Password: "password1", DisplayName: "Ann", Creator: true})
	if err != nil || a.ID == 0 || !a.Creator {
		t.Fatalf("CreateAccount = %+v, %v", a, err)
	}
	_, err = s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "Ann@Example.com", Password: "password1", DisplayName: "Ann"})
	code(t, err, api.ECONFLICT)
	_, err = s.Accounts.CreateSession(ctx, api.Credentials{Email: "ann@example.com", Password: "password2"})
	code(t, err, api.EUNAUTHORIZED)
	sess, err := s.Accounts.CreateSession(ctx, api.Credentials{Email: "ann@example.com", Password: "password1"})
	if err != nil || sess.Account.ID != a.ID {
		t.Fatalf("CreateSession = %+v, %v", sess, err)
	}
	c, err := s.Auth.Authenticate(ctx, sess.Token)
	if err != nil || c.Account.ID != a.ID {
		t.Fatalf("Authenticate = %+v, %v", c, err)
	}
	_, err = s.Auth.Authenticate(ctx, sess.Token+"x")
	code(t, err, api.EUNAUTHORIZED)
	cctx := api.NewContextWithCaller(ctx, c)
	if me, err := s.Accounts.Me(cctx); err != nil || me.Email != "ann@example.com" {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	if err := s.Accounts.DeleteSession(cctx); err != nil {
		t.Fatal(err)
	}
	_, err = s.Auth.Authenticate(ctx, sess.Token)
	code(t, err, api.EUNAUTHORIZED)
	_, err = s.Accounts.Me(ctx)
	code(t, err, api.EUNAUTHORIZED)
}

func testUploads(t *testing.T, s Services) {
	ctx := signUp(t, s, "ann", true)
	acct := api.AccountIDFromContext(ctx)
	sha := fmt.Sprintf("%064x", 1)
	if err := s.Uploads.BeginUpload(ctx, api.Upload{ID: "u1", AccountID: acct, SHA256: sha, Size: 600}, 1000); err != nil {
		t.Fatal(err)
	}
	// Reserved bytes count against the quota before the upload finishes.
	err := s.Uploads.BeginUpload(ctx, api.Upload{ID: "u2", AccountID: acct, SHA256: sha, Size: 500}, 1000)
	code(t, err, api.EQUOTA)
	u, err := s.Uploads.FindUpload(ctx, "u1")
	if err != nil || u.AccountID != acct || u.Size != 600 {
		t.Fatalf("FindUpload = %+v, %v", u, err)
	}
	if ok, _ := s.Blobs.HasBlob(ctx, sha); ok {
		t.Fatal("HasBlob before finish")
	}
	if err := s.Uploads.FinishUpload(ctx, "u1", api.Blob{SHA256: sha, Size: 600, MediaType: api.MediaMP3, DurationMS: 1234}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Blobs.HasBlob(ctx, sha); !ok {
		t.Fatal("HasBlob after finish = false")
	}
	b, err := s.Uploads.FindBlob(ctx, sha)
	if err != nil || b.DurationMS != 1234 || b.MediaType != api.MediaMP3 {
		t.Fatalf("FindBlob = %+v, %v", b, err)
	}
	_, err = s.Uploads.FindUpload(ctx, "u1")
	code(t, err, api.ENOTFOUND)
	// Stored bytes still count.
	err = s.Uploads.BeginUpload(ctx, api.Upload{ID: "u3", AccountID: acct, SHA256: sha, Size: 401}, 1000)
	code(t, err, api.EQUOTA)
	if err := s.Uploads.BeginUpload(ctx, api.Upload{ID: "u4", AccountID: acct, SHA256: sha, Size: 400}, 1000); err != nil {
		t.Fatal(err)
	}
	stale, err := s.Uploads.StaleUploads(ctx, time.Now().Add(time.Hour))
	if err != nil || len(stale) != 1 || stale[0].ID != "u4" {
		t.Fatalf("StaleUploads = %+v, %v; want u4", stale, err)
	}
	if old, _ := s.Uploads.StaleUploads(ctx, time.Now().Add(-time.Hour)); len(old) != 0 {
		t.Fatalf("fresh uploads listed as stale: %+v", old)
	}
	if err := s.Uploads.AbortUpload(ctx, "u4"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Uploads.FindUpload(ctx, "u4")
	code(t, err, api.ENOTFOUND)
	// A blob that arrived whole is stored without an upload record.
	whole := fmt.Sprintf("%064x", 2)
	if err := s.Uploads.StoreBlob(ctx, acct, api.Blob{SHA256: whole, Size: 300, MediaType: api.MediaPNG, Width: 2, Height: 3}); err != nil {
		t.Fatal(err)
	}
	if b, err := s.Uploads.FindBlob(ctx, whole); err != nil || b.Size != 300 || b.Width != 2 || b.Height != 3 {
		t.Fatalf("FindBlob after StoreBlob = %+v, %v", b, err)
	}
	if ok, _ := s.Blobs.HasBlob(ctx, whole); !ok {
		t.Fatal("HasBlob after StoreBlob = false")
	}
	if used, err := s.Uploads.UsedBytes(ctx, acct); err != nil || used != 900 {
		t.Fatalf("UsedBytes = %d, %v; want 600 + 300 stored", used, err)
	}
}

// blob registers a finished upload for the caller.
func blob(t *testing.T, s Services, ctx context.Context, n int, mediaType string) string {
	t.Helper()
	sha := fmt.Sprintf("%064x", n)
	id := fmt.Sprintf("up%d-%d", n, api.AccountIDFromContext(ctx))
	if err := s.Uploads.BeginUpload(ctx, api.Upload{ID: id, AccountID: api.AccountIDFromContext(ctx), SHA256: sha, Size: 100}, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Uploads.FinishUpload(ctx, id, api.Blob{SHA256: sha, Size: 100, MediaType: mediaType, DurationMS: 60_000}); err != nil {
		t.Fatal(err)
	}
	return sha
}

func testReleases(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	fan := signUp(t, s, "fan", false)
	anon := context.Background()
	m := api.Manifest{Title: "First Light", PriceCents: 700, Currency: "eur", CoverSHA256: blob(t, s, ann, 10, api.MediaJPEG),
		Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: blob(t, s, ann, 11, api.MediaMP3)}}}
	rel, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	if rel.Currency != "EUR" || rel.ArtistName != "ann" || rel.Tracks[0].DurationMS != 60_000 || rel.State != api.StateDraft {
		t.Fatalf("release = %+v", rel)
	}
	_, err = s.Releases.CreateRelease(fan, m)
	code(t, err, api.EFORBIDDEN)
	_, err = s.Releases.CreateRelease(bob, m) // Ann's blobs
	code(t, err, api.EINVALID)
	for _, ctx := range []context.Context{anon, fan, bob} {
		_, err = s.Releases.FindRelease(ctx, rel.ID)
		code(t, err, api.ENOTFOUND)
	}
	_, err = s.Releases.PublishRelease(bob, rel.ID)
	code(t, err, api.ENOTFOUND)
	if _, err := s.Releases.PublishRelease(ann, rel.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Releases.FindRelease(fan, rel.ID); err != nil || got.Title != "First Light" {
		t.Fatalf("published release for a fan = %+v, %v", got, err)
	}
	page, err := s.Releases.SearchReleases(anon, api.ReleaseFilter{Query: "light"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("search = %+v, %v", page, err)
	}
	// Downloads: creator yes, fan no (paid release), anonymous never.
	if f, err := s.Downloads.AuthorizeTrack(ann, rel.Tracks[0].ID); err != nil || f.AudioSHA256 != m.Tracks[0].AudioSHA256 {
		t.Fatalf("creator download = %+v, %v", f, err)
	}
	_, err = s.Downloads.AuthorizeTrack(fan, rel.Tracks[0].ID)
	code(t, err, api.EFORBIDDEN)
	_, err = s.Downloads.AuthorizeTrack(anon, rel.Tracks[0].ID)
	code(t, err, api.EUNAUTHORIZED)

	err = s.Releases.DeleteRelease(bob, rel.ID)
	code(t, err, api.ENOTFOUND)
	if err := s.Releases.DeleteRelease(ann, rel.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Releases.FindRelease(ann, rel.ID)
	code(t, err, api.ENOTFOUND)
}

// testTracksAreTheManifest: after any update a release's tracks are exactly
// the manifest's, positions 1..n, even when the same audio fills several
// positions (two identical files in one folder).
func testTracksAreTheManifest(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	a, b, c := blob(t, s, ann, 21, api.MediaMP3), blob(t, s, ann, 22, api.MediaMP3), blob(t, s, ann, 23, api.MediaMP3)
	manifest := func(shas ...string) api.Manifest {
		m := api.Manifest{Title: "Twice", PriceCents: 500, Currency: "EUR"}
		for i, sha := range shas {
			m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: fmt.Sprintf("Song %d", i+1), AudioSHA256: sha})
		}
		return m
	}
	check := func(rel *api.Release, want api.Manifest) {
		t.Helper()
		if len(rel.Tracks) != len(want.Tracks) {
			t.Fatalf("release has %d tracks %+v, manifest %d", len(rel.Tracks), rel.Tracks, len(want.Tracks))
		}
		for i, tr := range rel.Tracks {
			w := want.Tracks[i]
			if tr.Position != i+1 || tr.Title != w.Title || tr.AudioSHA256 != w.AudioSHA256 {
				t.Fatalf("track %d = %d %q %.8s, want %d %q %.8s", i, tr.Position, tr.Title, tr.AudioSHA256, i+1, w.Title, w.AudioSHA256)
			}
		}
	}
	m := manifest(a, a, b)
	rel, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	check(rel, m)
	for _, shas := range [][]string{{a, a, b}, {a, a, b}, {b, a, a}, {a, b, a, a}, {a, a, a}, {c, a}, {a, a, b}, {a}} {
		m := manifest(shas...)
		rel, err = s.Releases.UpdateRelease(ann, rel.ID, m)
		if err != nil {
			t.Fatal(err)
		}
		check(rel, m)
		got, err := s.Releases.FindRelease(ann, rel.ID)
		if err != nil {
			t.Fatal(err)
		}
		check(got, m)
		if page, err := s.Releases.MyReleases(ann, 10, ""); err != nil || len(page.Items) != 1 {
			t.Fatalf("MyReleases = %+v, %v", page, err)
		} else {
			check(&page.Items[0], m)
		}
	}
	// The one track left is downloadable; the replaced ones are gone.
	if _, err := s.Downloads.AuthorizeTrack(ann, rel.Tracks[0].ID); err != nil {
		t.Fatalf("download the remaining track: %v", err)
	}
}

// testNamesShowWhatTheyContain: display, artist, release and track names
// with text-direction or invisible characters are refused, naming the
// field; the same names without them are accepted.
func testNamesShowWhatTheyContain(t *testing.T, s Services) {
	ctx := context.Background()
	_, err := s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "eve@example.com", Password: "password eve", DisplayName: "Ann\u202E", Creator: true})
	field(t, err, "display_name")
	_, err = s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "eve@example.com", Password: "password eve", DisplayName: "A\u200Bnn", Creator: true})
	field(t, err, "display_name")
	ann := signUp(t, s, "ann", true)
	audio := blob(t, s, ann, 31, api.MediaMP3)
	good := func() api.Manifest {
		return api.Manifest{Title: "Nuit blanche", ArtistName: "Ann & Léa", PriceCents: 500, Currency: "EUR",
			Tracks: []api.ManifestTrack{{Position: 1, Title: "Aube 🌅", AudioSHA256: audio}}}
	}
	rel, err := s.Releases.CreateRelease(ann, good())
	if err != nil || rel.Title != "Nuit blanche" || rel.ArtistName != "Ann & Léa" || rel.Tracks[0].Title != "Aube 🌅" {
		t.Fatalf("CreateRelease = %+v, %v", rel, err)
	}
	for _, tc := range []struct {
		field string
		edit  func(m *api.Manifest)
	}{
		{"title", func(m *api.Manifest) { m.Title = "\u202Eevil" }},
		{"title", func(m *api.Manifest) { m.Title = "Nuit\u2066 blanche" }},
		{"artist_name", func(m *api.Manifest) { m.ArtistName = "Ann\u200F" }},
		{"artist_name", func(m *api.Manifest) { m.ArtistName = "\uFEFFAnn" }},
		{"tracks[0].title", func(m *api.Manifest) { m.Tracks[0].Title = "Aube\u061C" }},
		{"tracks[0].title", func(m *api.Manifest) { m.Tracks[0].Title = "Au\u2060be" }},
	} {
		m := good()
		tc.edit(&m)
		_, err := s.Releases.CreateRelease(ann, m)
		field(t, err, tc.field)
		_, err = s.Releases.UpdateRelease(ann, rel.ID, m)
		field(t, err, tc.field)
	}
	if got, err := s.Releases.FindRelease(ann, rel.ID); err != nil || got.Title != "Nuit blanche" || got.Tracks[0].Title != "Aube 🌅" {
		t.Fatalf("after refused updates the release is %+v, %v", got, err)
	}
}

func field(t *testing.T, err error, want string) {
	t.Helper()
	if api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != want {
		t.Fatalf("err = %v, want EINVALID on %s", err, want)
	}
}

// testUsedBytesIsTheSum: after every step of a random mix of uploads
// begun, finished, aborted and expired, blobs stored whole, and blobs an
// account already owns stored again, UsedBytes is exactly the sum of the
// sizes of the distinct blobs the account owns and of its open uploads,
// and the quota check draws the line at that sum.
func testUsedBytesIsTheSum(t *testing.T, s Services) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 17))
	ctxs := []context.Context{signUp(t, s, "ann", true), signUp(t, s, "bob", true)}
	type model struct {
		owns    map[string]bool
		uploads map[string]api.Upload
	}
	models := []*model{{map[string]bool{}, map[string]api.Upload{}}, {map[string]bool{}, map[string]api.Upload{}}}
	sizes := make([]int64, 12) // a small pool of blobs, so both accounts own some of the same ones
	for i := range sizes {
		sizes[i] = 1 + rng.Int64N(5_000_000)
	}
	sum := func(m *model) int64 {
		var n int64
		for sha := range m.owns {
			n += sizes[blobIndex(t, sha)]
		}
		for _, u := range m.uploads {
			n += u.Size
		}
		return n
	}
	anyUpload := func(m *model) (api.Upload, bool) {
		for _, u := range m.uploads {
			return u, true
		}
		return api.Upload{}, false
	}
	nextID := 0
	for step := range 400 {
		who := rng.IntN(len(ctxs))
		ctx, m := ctxs[who], models[who]
		acct := api.AccountIDFromContext(ctx)
		i := rng.IntN(len(sizes))
		sha := fmt.Sprintf("%064x", i)
		b := api.Blob{SHA256: sha, Size: sizes[i], MediaType: api.MediaMP3, DurationMS: 1000}
		var op string
		switch r := rng.IntN(10); {
		case r < 3:
			nextID++
			u := api.Upload{ID: fmt.Sprintf("r%d", nextID), AccountID: acct, SHA256: sha, Size: sizes[i]}
			want := sum(m)
			// A quota one byte short is refused; exactly enough is not.
			op = fmt.Sprintf("begin %s of %d bytes", u.ID, u.Size)
			err := s.Uploads.BeginUpload(ctx, u, want+u.Size-1)
			code(t, err, api.EQUOTA)
			if err := s.Uploads.BeginUpload(ctx, u, want+u.Size); err != nil {
				t.Fatalf("seed %d step %d: %s: %v", seed, step, op, err)
			}
			m.uploads[u.ID] = u
		case r < 5:
			u, ok := anyUpload(m)
			if !ok {
				continue
			}
			i := blobIndex(t, u.SHA256)
			op = "finish " + u.ID
			if err := s.Uploads.FinishUpload(ctx, u.ID, api.Blob{SHA256: u.SHA256, Size: sizes[i], MediaType: api.MediaMP3, DurationMS: 1000}); err != nil {
				t.Fatalf("seed %d step %d: %s: %v", seed, step, op, err)
			}
			delete(m.uploads, u.ID)
			m.owns[u.SHA256] = true
		case r < 6:
			u, ok := anyUpload(m)
			if !ok {
				continue
			}
			op = "abort " + u.ID
			if err := s.Uploads.AbortUpload(ctx, u.ID); err != nil {
				t.Fatalf("seed %d step %d: %s: %v", seed, step, op, err)
			}
			delete(m.uploads, u.ID)
		case r < 7:
			op = "expire all"
			stale, err := s.Uploads.StaleUploads(ctx, time.Now().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range stale {
				if err := s.Uploads.AbortUpload(ctx, u.ID); err != nil {
					t.Fatal(err)
				}
				for _, m := range models {
					delete(m.uploads, u.ID)
				}
			}
		case r < 9:
			op = "store whole " + sha
			if err := s.Uploads.StoreBlob(ctx, acct, b); err != nil {
				t.Fatalf("seed %d step %d: %s: %v", seed, step, op, err)
			}
			m.owns[sha] = true
		default:
			// Store again a blob the account already owns.
			for owned := range m.owns {
				i := blobIndex(t, owned)
				op = "store owned " + owned
				if err := s.Uploads.StoreBlob(ctx, acct, api.Blob{SHA256: owned, Size: sizes[i], MediaType: api.MediaMP3, DurationMS: 1000}); err != nil {
					t.Fatalf("seed %d step %d: %s: %v", seed, step, op, err)
				}
				break
			}
		}
		for k, c := range ctxs {
			got, err := s.Uploads.UsedBytes(c, api.AccountIDFromContext(c))
			if want := sum(models[k]); err != nil || got != want {
				t.Fatalf("seed %d step %d (%s by account %d): account %d UsedBytes = %d, %v; want %d", seed, step, op, who, k, got, err, want)
			}
		}
	}
}

// blobIndex reads back the index a test blob's hash was made from.
func blobIndex(t *testing.T, sha string) int {
	t.Helper()
	var i int
	if _, err := fmt.Sscanf(sha, "%x", &i); err != nil {
		t.Fatalf("test blob hash %q: %v", sha, err)
	}
	return i
}
