package drills

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/library"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/internal/nullaudio"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestExitRights stops megaboxd and deletes its data: the fan's library
// still plays and every receipt verifies offline; the creator still has
// the masters and the fans and earnings CSVs.
func TestExitRights(t *testing.T) {
	if _, err := exec.LookPath("pulseaudio"); err != nil {
		t.Fatal("pulseaudio is not installed: run .ci/deps test")
	}
	dir := t.TempDir()
	bins := t.TempDir()
	data := filepath.Join(dir, "data")
	srv := startServer(t, build(t, bins, "./backend/cmd/megaboxd"), data, "")
	cli := build(t, bins, "./app/cmd/megabox-cli")
	signUp(t, srv.url(), "ann@example.com", true)
	fan := signUp(t, srv.url(), "fan@example.com", false)
	cliAs := func(home string, args ...string) (string, error) {
		cmd := exec.Command(cli, args...)
		cmd.Env = append(os.Environ(), "MEGABOX_HOME="+filepath.Join(dir, home), "MEGABOX_NO_KEYRING=1", "MEGABOX_PASSWORD=password1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// Ann publishes from her folder; the fan buys.
	masters := filepath.Join(dir, "masters", "Last Light")
	os.MkdirAll(masters, 0o755)
	var shas []string
	for i := range 2 {
		p := filepath.Join(masters, fmt.Sprintf("%02d.mp3", i+1))
		testmedia.MP3(t, p, 2, 330+float64(i)*110, testmedia.Tags{Title: fmt.Sprint("Ember ", i+1), Artist: "Ann", Album: "Last Light", Track: fmt.Sprint(i + 1)})
		old := time.Now().Add(-time.Minute)
		os.Chtimes(p, old, old)
		shas = append(shas, fileSHA(t, p))
	}
	for _, args := range [][]string{{"login", "--server", srv.url(), "--email", "ann@example.com"}, {"sync", "--once", filepath.Dir(masters)}, {"publish", masters}} {
		if out, err := cliAs("ann", args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	ctx := context.Background()
	page, _ := fan.SearchReleases(ctx, api.ReleaseFilter{Query: "last light"})
	if len(page.Items) != 1 {
		t.Fatalf("release not in the catalog: %+v", page)
	}
	if _, err := fan.CreatePurchase(ctx, "exit", api.PurchaseCreate{ReleaseID: page.Items[0].ID, AmountCents: 1234, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}); err != nil {
		t.Fatal(err)
	}
	music := filepath.Join(dir, "Music")
	for _, args := range [][]string{{"login", "--server", srv.url(), "--email", "fan@example.com"}, {"library", "sync", "--dir", music}} {
		if out, err := cliAs("fan", args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	earnCSV, fansCSV := filepath.Join(dir, "earnings.csv"), filepath.Join(dir, "fans.csv")
	for _, args := range [][]string{{"earnings", "--csv", earnCSV}, {"fans", "--csv", fansCSV}} {
		if out, err := cliAs("ann", args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}

	// The platform disappears, data and all.
	srv.kill()
	if err := os.RemoveAll(data); err != nil {
		t.Fatal(err)
	}

	// The fan: the library lists, checks and plays.
	if out, err := cliAs("fan", "library", "ls"); err != nil || !strings.Contains(out, "Last Light") || !strings.Contains(out, "available offline") {
		t.Fatalf("library ls without a platform: %v\n%s", err, out)
	}
	if out, err := cliAs("fan", "library", "check"); err != nil || !strings.Contains(out, "Checked 2 track(s) and 1 receipt(s)") {
		t.Fatalf("library check without a platform: %v\n%s", err, out)
	}
	receipts, _ := filepath.Glob(filepath.Join(music, "receipts", "*.json"))
	if len(receipts) != 1 {
		t.Fatalf("%d receipt files", len(receipts))
	}
	p, err := library.VerifyReceiptFile(receipts[0], nil)
	if err != nil || p.GrossCents != 1234 || p.CreatorCents != 1111 || len(p.Tracks) != 2 || p.Tracks[0].SHA256 != shas[0] {
		t.Fatalf("receipt offline: %+v, %v", p, err)
	}
	sound, err := nullaudio.Start(filepath.Join(dir, "audio"))
	if err != nil {
		t.Fatal(err)
	}
	defer sound.Stop()
	cmd := exec.Command(cli, "play", "ann/last light/2")
	cmd.Env = append(os.Environ(), "MEGABOX_HOME="+filepath.Join(dir, "fan"), "ALSA_CONFIG_PATH="+sound.Config)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Ember 2") {
		t.Fatalf("play without a platform: %v\n%s", err, out)
	}
	if fi, err := os.Stat(sound.Capture); err != nil || fi.Size() < 44100*8 {
		t.Fatalf("no audio reached the device: %v", err)
	}

	// The creator: masters intact, CSVs on disk and adding up.
	for i, s := range shas {
		if got := fileSHA(t, filepath.Join(masters, fmt.Sprintf("%02d.mp3", i+1))); got != s {
			t.Fatalf("master %d changed", i+1)
		}
	}
	rows := readCSV(t, earnCSV)
	if len(rows) != 2 || rows[1][1] != "sale" || rows[1][7] != "12.34" || rows[1][8] != "1.23" || rows[1][9] != "11.11" {
		t.Fatalf("earnings.csv = %v", rows)
	}
	if fans := readCSV(t, fansCSV); len(fans) != 2 || fans[1][3] != "12.34" {
		t.Fatalf("fans.csv = %v", fans)
	}
}

func readCSV(t *testing.T, p string) [][]string {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
