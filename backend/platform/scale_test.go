package platform_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The desktop app's build (tag desktop) runs the embedded platform only:
// the PostgreSQL and S3 clients stay out of it, and in megaboxd's.
func TestDesktopBuildLeavesOutScaleParts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	scale := []string{
		"github.com/megabox-fm/megabox/backend/store/postgres",
		"github.com/megabox-fm/megabox/backend/blob/s3",
		"github.com/jackc/pgx/v5",
		"github.com/aws/aws-sdk-go-v2/config",
	}
	desktop := deps(t, "-tags", "desktop")
	server := deps(t)
	for _, pkg := range scale {
		if desktop[pkg] {
			t.Errorf("the desktop build links %s", pkg)
		}
		if !server[pkg] {
			t.Errorf("the server's build lacks %s", pkg)
		}
	}
	// The desktop build refuses PostgreSQL and S3 plainly (scale_desktop_test.go).
	out, err := exec.Command("go", "test", "-count=1", "-tags", "desktop", "-run", "^TestDesktopRefusesScaleParts$", ".").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok") {
		t.Fatalf("go test -tags desktop: %v\n%s", err, out)
	}
}

// deps lists the packages this package's build links, with these flags.
func deps(t *testing.T, flags ...string) map[string]bool {
	t.Helper()
	args := append([]string{"list", "-deps"}, flags...)
	out, err := exec.Command("go", append(args, ".")...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		m[p] = true
	}
	return m
}
