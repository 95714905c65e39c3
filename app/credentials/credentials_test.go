package credentials_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/app/credentials"
)

func TestFileStore(t *testing.T) {
	dir := t.TempDir()
	s := credentials.New(dir, false)
	if _, err := s.Load(); !errors.Is(err, credentials.ErrNone) {
		t.Fatalf("empty store: %v", err)
	}
	want := credentials.Session{Server: "http://127.0.0.1:8080", Email: "a@example.com", Token: "tok"}
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil || got != want {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	fi, _ := os.Stat(filepath.Join(dir, "session.json"))
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("session file mode %v, want 0600", fi.Mode().Perm())
	}
	s.Clear()
	if _, err := s.Load(); !errors.Is(err, credentials.ErrNone) {
		t.Fatalf("after Clear: %v", err)
	}
}
