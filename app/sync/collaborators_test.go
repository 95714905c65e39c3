package sync

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// megabox.json keeps collaborators exactly as the platform's manifest
// writes them, and reads them back the same.
func TestSidecarCollaboratorsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cs := []api.ManifestCollaborator{{Email: "bob@example.com", ShareBps: 3000}, {Email: "cy@example.com", ShareBps: 2000}}
	price := int64(999)
	if err := WriteSidecar(dir, Sidecar{PriceCents: &price, Collaborators: cs}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, SidecarName))
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Collaborators json.RawMessage }
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	apiJSON, _ := json.Marshal(api.Manifest{Collaborators: cs})
	var manifest struct{ Collaborators json.RawMessage }
	json.Unmarshal(apiJSON, &manifest)
	if got, want := compact(t, file.Collaborators), compact(t, manifest.Collaborators); got != want {
		t.Fatalf("megabox.json has %s, the manifest %s", got, want)
	}
	side, err := ReadSidecar(dir)
	if err != nil || !reflect.DeepEqual(side.Collaborators, cs) || side.PriceCents == nil || *side.PriceCents != 999 {
		t.Fatalf("read back %+v, %v", side, err)
	}

	// Written by hand, in the manifest's words.
	os.WriteFile(filepath.Join(dir, SidecarName), []byte(`{"collaborators": [{"email": "bob@example.com", "share_bps": 3000}]}`), 0o644)
	if side, err := ReadSidecar(dir); err != nil || !reflect.DeepEqual(side.Collaborators, cs[:1]) {
		t.Fatalf("hand-written = %+v, %v", side.Collaborators, err)
	}
	// A field the manifest does not have is refused, naming the file.
	os.WriteFile(filepath.Join(dir, SidecarName), []byte(`{"collaborators": [{"email": "bob@example.com", "share": 30}]}`), 0o644)
	if _, err := ReadSidecar(dir); err == nil || !strings.Contains(err.Error(), SidecarName) || !strings.Contains(err.Error(), `"share"`) {
		t.Fatalf("an unknown collaborator field: %v", err)
	}
	// None written: the key is absent, as in a manifest without collaborators.
	if err := WriteSidecar(dir, Sidecar{Collaborators: []api.ManifestCollaborator{}}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, SidecarName)); string(b) != "{}\n" {
		t.Fatalf("an empty list wrote %q", b)
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// A sidecar whose collaborators the platform would refuse fails its
// release with the platform's message, naming the file and the field, and
// nothing is sent.
func TestBadCollaboratorsRefusedBeforeSending(t *testing.T) {
	for _, c := range []struct {
		name  string
		list  []api.ManifestCollaborator
		field string
	}{
		{"not an address", []api.ManifestCollaborator{{Email: "bob", ShareBps: 3000}}, "collaborators[0].email"},
		{"listed twice", []api.ManifestCollaborator{{Email: "bob@example.com", ShareBps: 3000}, {Email: "BOB@example.com", ShareBps: 1000}}, "collaborators[1].email"},
		{"no share", []api.ManifestCollaborator{{Email: "bob@example.com", ShareBps: 0}}, "collaborators[0].share_bps"},
		{"over 100 %", []api.ManifestCollaborator{{Email: "bob@example.com", ShareBps: 7000}, {Email: "cy@example.com", ShareBps: 4000}}, "collaborators"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.album("Shared", 1, 1)
			if err := WriteSidecar(filepath.Join(e.rootPath, "Shared"), Sidecar{Collaborators: c.list}); err != nil {
				t.Fatal(err)
			}
			e.syncOnce(e.engine(Options{}))
			rec, err := e.cache.Release(context.Background(), e.root.ID, "Shared")
			if err != nil {
				t.Fatal(err)
			}
			m := api.Manifest{Title: "Shared", ArtistName: "Ann", Currency: "EUR", Collaborators: c.list}
			want := SidecarName + ": " + m.Validate().Error()
			p := e.problem("Shared")
			if rec.State != StateError || p == nil || p.Kind != KindSidecarInvalid || p.Field != c.field || p.Code != api.EINVALID || p.Detail != want || rec.ReleaseID != 0 {
				t.Fatalf("release = %q %+v #%d, want sidecar_invalid on %s with the detail %q and no release", rec.State, p, rec.ReleaseID, c.field, want)
			}
			if n := e.requests("POST /api/v1/releases"); n != 0 {
				t.Fatalf("the manifest was sent %d time(s); it should have been refused before", n)
			}
		})
	}
}

// A release with collaborators reaches the platform with them, and a
// rescan of the unchanged folder (its megabox.json rewritten as it was)
// sends nothing again.
func TestCollaboratorsSyncedOnce(t *testing.T) {
	e := newEnv(t)
	for _, email := range []string{"bob@example.com", "cy@example.com"} {
		if _, err := e.client.CreateAccount(context.Background(), api.AccountCreate{Email: email, Password: "password1", DisplayName: email[:3], Creator: true}); err != nil {
			t.Fatal(err)
		}
	}
	e.album("Shared", 2, 1)
	dir := filepath.Join(e.rootPath, "Shared")
	side := Sidecar{Collaborators: []api.ManifestCollaborator{{Email: "bob@example.com", ShareBps: 3000}, {Email: "cy@example.com", ShareBps: 2000}}}
	if err := WriteSidecar(dir, side); err != nil {
		t.Fatal(err)
	}
	eng := e.engine(Options{})
	e.syncOnce(eng)
	if st := e.releaseState("Shared"); st != StateSynced {
		rec, _ := e.cache.Release(context.Background(), e.root.ID, "Shared")
		t.Fatalf("state %q: %s", st, rec.Error)
	}
	r := e.release("Shared")
	var got []string
	for _, c := range r.Collaborators {
		got = append(got, c.Email+" "+strconv.FormatInt(c.ShareBps, 10)+" "+strconv.FormatBool(c.Owner))
	}
	if want := []string{"ann@example.com 5000 true", "bob@example.com 3000 false", "cy@example.com 2000 false"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("the platform's payees = %q, want %q", got, want)
	}
	sent := e.requests("POST /api/v1/releases") + e.requests("PUT /api/v1/releases/{id}")
	if sent != 1 {
		t.Fatalf("the release was sent %d time(s) on its first sync, want once", sent)
	}

	for i := range 3 {
		// The same bytes with a new mtime: the folder lists differently, so
		// the pass reads it again and builds the same manifest.
		later := time.Now().Add(time.Duration(i+1) * time.Second)
		if err := WriteSidecar(dir, side); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(filepath.Join(dir, SidecarName), later, later)
		e.syncOnce(eng)
	}
	if again := e.requests("POST /api/v1/releases") + e.requests("PUT /api/v1/releases/{id}") - sent; again != 0 {
		t.Fatalf("an unchanged release was sent %d more time(s)", again)
	}
	if st := e.releaseState("Shared"); st != StateSynced {
		t.Fatalf("state after rescans %q", st)
	}

	// A changed share is sent once.
	side.Collaborators[1].ShareBps = 2500
	if err := WriteSidecar(dir, side); err != nil {
		t.Fatal(err)
	}
	e.syncOnce(eng)
	if n := e.requests("PUT /api/v1/releases/{id}") + e.requests("POST /api/v1/releases") - sent; n != 1 {
		t.Fatalf("a changed share was sent %d time(s), want once", n)
	}
	if r := e.release("Shared"); len(r.Collaborators) != 3 || r.Collaborators[0].ShareBps != 4500 || r.Collaborators[2].ShareBps != 2500 {
		t.Fatalf("after the change the platform has %+v", r.Collaborators)
	}
}

// A collaborator the platform refuses (no creator account with that
// address) fails the release with the platform's message, naming the file.
func TestCollaboratorRefusedByThePlatform(t *testing.T) {
	e := newEnv(t)
	e.album("Shared", 1, 1)
	side := Sidecar{Collaborators: []api.ManifestCollaborator{{Email: "nobody@example.com", ShareBps: 3000}}}
	if err := WriteSidecar(filepath.Join(e.rootPath, "Shared"), side); err != nil {
		t.Fatal(err)
	}
	e.syncOnce(e.engine(Options{}))
	rec, err := e.cache.Release(context.Background(), e.root.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	p := e.problem("Shared")
	if rec.State != StateError || p == nil || p.Kind != KindSidecarInvalid || p.Field != "collaborators[0].email" || !strings.HasPrefix(p.Detail, SidecarName+": collaborators[0].email: ") || rec.ReleaseID != 0 {
		t.Fatalf("release = %q %+v #%d, want the platform's refusal of collaborators[0].email", rec.State, p, rec.ReleaseID)
	}
}

// requests counts the platform's answers to route, from its metrics.
func (e *env) requests(route string) int {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.p.Handler.Metrics().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	n := 0
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "megabox_http_request_duration_seconds_count{") || !strings.Contains(line, `route="`+route+`"`) {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			e.t.Fatalf("metrics line %q", line)
		}
		n += int(v)
	}
	return n
}
