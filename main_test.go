package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// `wails generate module` builds this program with the bindings tag and runs
// it to list the bound methods. That run writes the bindings and must leave
// the user's home alone: no ~/.config/megabox, no local platform, no
// ~/Music/Megabox.
func TestBindingsRunTouchesNoHome(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "wailsbindings")
	build := exec.Command("go", "build", "-buildvcs=false", "-tags", "bindings", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags bindings: %v\n%s", err, out)
	}
	// The bindings run works in the project directory: give it one of its own.
	project := filepath.Join(dir, "project")
	home := filepath.Join(dir, "home")
	for _, d := range []string{filepath.Join(project, "frontend"), home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	wailsJSON, err := os.ReadFile("wails.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "wails.json"), wailsJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	run := exec.Command(bin)
	run.Dir = project
	run.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME=", "MEGABOX_HOME=", "MEGABOX_PLATFORM=")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("bindings run: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(project, "frontend", "wailsjs", "go", "app", "AccountAPI.d.ts")); err != nil {
		t.Fatalf("the bindings run wrote no bindings: %v", err)
	}
	var made []string
	filepath.WalkDir(home, func(p string, d os.DirEntry, err error) error {
		if p != home {
			made = append(made, p)
		}
		return err
	})
	if len(made) > 0 {
		t.Fatalf("the bindings run created %d paths under HOME, first %s", len(made), made[0])
	}
}
