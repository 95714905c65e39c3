package sync

import (
	"context"
	"strings"
	gosync "sync"
	"testing"
)

// eventLog keeps the file and release events an engine emits.
type eventLog struct {
	mu       gosync.Mutex
	files    []FileEvent
	releases []ReleaseEvent
}

func (l *eventLog) Emit(_ string, payload any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch p := payload.(type) {
	case FileEvent:
		l.files = append(l.files, p)
	case ReleaseEvent:
		l.releases = append(l.releases, p)
	}
}

// take returns the events so far and forgets them.
func (l *eventLog) take() ([]FileEvent, []ReleaseEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, r := l.files, l.releases
	l.files, l.releases = nil, nil
	return f, r
}

// TestRescanSkipsUnchangedFolders: a rescan of folders that list exactly
// as when they were last synced reads no file, sends nothing and reports
// no per-file work, yet reports each release synced with its tracks; a
// changed folder is synced in full, and after signing in as another
// account every folder is looked at file by file again.
func TestRescanSkipsUnchangedFolders(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{"A", "B", "C"} {
		e.album(d, 2, 0.5)
	}
	log := &eventLog{}
	eng := e.engine(Options{})
	eng.emit = log
	if rep := e.syncOnce(eng); rep.Failed() || rep.Files != 9 {
		t.Fatalf("first sync: %d files, %v %v", rep.Files, rep.FileErrors, rep.Errors)
	}
	log.take()
	read, sent := eng.BytesRead(), eng.BytesSent()

	rep := e.syncOnce(eng)
	files, releases := log.take()
	if rep.Failed() || rep.Releases != 3 || rep.Files != 9 {
		t.Fatalf("rescan report: %d releases, %d files, %v %v; want 3 and 9", rep.Releases, rep.Files, rep.FileErrors, rep.Errors)
	}
	if len(files) != 0 {
		t.Errorf("rescan of unchanged folders emitted %d file events, first %+v; want none", len(files), files[0])
	}
	if len(releases) != 3 {
		t.Fatalf("rescan emitted %d release events, want 3", len(releases))
	}
	for _, r := range releases {
		if r.State != StateSynced || r.Tracks != 2 || r.ReleaseID != e.release(r.Dir).ID {
			t.Errorf("release event %+v, want %s synced with 2 tracks as release %d", r, r.Dir, e.release(r.Dir).ID)
		}
	}
	if eng.BytesRead() != read || eng.BytesSent() != sent {
		t.Errorf("rescan read %d and sent %d bytes, want none", eng.BytesRead()-read, eng.BytesSent()-sent)
	}

	// A changed folder is synced in full; the others are still skipped.
	writeSidecar(t, e.rootPath+"/B", Sidecar{Title: "B, retitled"})
	if rep := e.syncOnce(eng); rep.Failed() {
		t.Fatalf("sync after a change: %v %v", rep.FileErrors, rep.Errors)
	}
	if got := e.release("B").Title; got != "B, retitled" {
		t.Errorf("B's release is titled %q, want %q", got, "B, retitled")
	}
	files, _ = log.take()
	for _, f := range files {
		if !strings.HasPrefix(f.Path, "B/") {
			t.Errorf("file event for %s of an unchanged folder", f.Path)
		}
	}

	// Another account: every blob is asked for again.
	if err := eng.ForgetRemote(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rep := e.syncOnce(eng); rep.Failed() {
		t.Fatalf("sync after forgetting the platform's blobs: %v %v", rep.FileErrors, rep.Errors)
	}
	files, _ = log.take()
	synced := map[string]bool{}
	for _, f := range files {
		if f.State == StateSynced {
			synced[f.Path] = true
		}
	}
	for _, p := range []string{"A/01 - Song 1.mp3", "A/02 - Song 2.mp3", "A/cover.png", "C/01 - Song 1.mp3"} {
		if !synced[p] {
			t.Errorf("%s was not synced again after the platform's blobs were forgotten (synced: %v)", p, synced)
		}
	}
}
