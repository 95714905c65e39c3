package app

import "testing"

func TestParseLink(t *testing.T) {
	good := map[string]int64{
		"megabox://release/12":   12,
		"megabox://release/12/":  12,
		"MEGABOX://Release/7":    7,
		"megabox:release/3":      3,
		" megabox://release/9\n": 9,
	}
	for raw, id := range good {
		if l, ok := ParseLink(raw); !ok || l.Kind != "release" || l.ReleaseID != id {
			t.Errorf("%q: %+v %v, want release %d", raw, l, ok, id)
		}
	}
	for _, raw := range []string{"", "megabox://", "megabox://release/", "megabox://release/0", "megabox://release/-1",
		"megabox://release/012", "megabox://release/1x", "megabox://release/1/2", "megabox://track/1",
		"https://release/1", "megabox://user@release/1", "/tmp/megabox://release/1", "--megabox://release/1",
		"megabox://release/99999999999999999999"} {
		if l, ok := ParseLink(raw); ok {
			t.Errorf("%q read as %+v", raw, l)
		}
	}
}

// The last link among a start's arguments waits for the window, once.
func TestOpenLinksWaitsForTheWindow(t *testing.T) {
	a := New(Config{Home: t.TempDir()})
	x := &StoreAPI{a}
	a.OpenLinks([]string{"--verbose", "megabox://release/4", "not a link"})
	a.OpenLinks([]string{"nothing here"}) // keeps the waiting link
	a.OpenLinks([]string{"megabox://release/5"})
	if l := x.TakeLink(); l == nil || l.ReleaseID != 5 {
		t.Fatalf("waiting link %+v, want release 5", l)
	}
	if l := x.TakeLink(); l != nil {
		t.Fatalf("taken twice: %+v", l)
	}
	if InstanceID("/home/a/megabox") == InstanceID("/home/b/megabox") || InstanceID("/x/") != InstanceID("/x") {
		t.Error("instance ids: one per home")
	}
}
