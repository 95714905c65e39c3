package http_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// TestMyReleasesShowTheOwnerADamagedMaster: the creator's own list of
// releases (what the desktop syncs and lists) says which track's master a
// decode found damaged, as the release itself does.
func TestMyReleasesShowTheOwnerADamagedMaster(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	draft, _, _ := e.damagedDraft(c, 44100, 16)
	const problem = damagedProblem
	page, err := c.MyReleases(ctx, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != draft.ID || len(page.Items[0].Tracks) != 2 {
		t.Fatalf("MyReleases = %+v", page.Items)
	}
	if got := page.Items[0].Tracks; got[0].Problem != "" || got[1].Problem != problem {
		t.Fatalf("the owner's list shows problems %q, %q; want none and %q", got[0].Problem, got[1].Problem, problem)
	}
	if got := page.Items[0].Tracks; got[0].ProblemCode != "" || got[1].ProblemCode != api.ProblemFLACChecksum {
		t.Fatalf("the owner's list shows problem codes %q, %q; want none and %q", got[0].ProblemCode, got[1].ProblemCode, api.ProblemFLACChecksum)
	}
	// The code is on the wire under its documented name, beside the text.
	status, body, _ := e.raw("GET", "/api/v1/me/releases", c.Token(), nil)
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"problem_code":"flac_checksum"`)) || bytes.Count(body, []byte(`"problem_code"`)) != 1 {
		t.Fatalf("GET my releases: %d %s; want problem_code flac_checksum once", status, body)
	}
}
