package library

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

func (e *env) uploadNamed(name string, data []byte) string {
	e.t.Helper()
	sum := sha(data)
	if _, err := e.creator.UploadFile(context.Background(), bytes.NewReader(data), &mhttp.Upload{SHA256: sum, Size: int64(len(data)), Filename: name}); err != nil {
		e.t.Fatalf("upload %s: %v", name, err)
	}
	return sum
}

// TestMirrorFormatsOverPlatform runs the library against a real platform
// on loopback that transcodes: a fan who bought two FLAC masters (24/96,
// 16/44.1) and an MP3 gets FLAC files and the MP3 as itself, each the
// bytes the platform serves, and the bonus files in Bonus/, once the platform has made them (Serve asks
// again after each 202's Retry-After); switching to Opus re-mirrors the
// FLAC masters, removes the FLAC files, leaves the MP3 alone and keeps the
// receipt and the library's records.
func TestMirrorFormatsOverPlatform(t *testing.T) {
	testmedia.HaveTools(t, "ffmpeg", "sox", "flac")
	e := newEnv(t)
	ctx := context.Background()
	m := api.Manifest{Title: "Undertow", PriceCents: 700, Currency: "EUR"}
	for i, shape := range [][3]int{{96000, 24, 2}, {44100, 16, 2}} {
		data, err := os.ReadFile(testmedia.MusicMasterFLAC(t, t.TempDir(), "m.flac", 2, shape[0], shape[1], shape[2]))
		if err != nil {
			t.Fatal(err)
		}
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: fmt.Sprint("Wave ", i+1), AudioSHA256: e.uploadNamed(fmt.Sprintf("%02d.flac", i+1), data)})
	}
	mp3 := testmedia.MP3(t, filepath.Join(t.TempDir(), "t.mp3"), 2, 440, testmedia.Tags{Title: "Shore"})
	m.Tracks = append(m.Tracks, api.ManifestTrack{Position: 3, Title: "Shore", AudioSHA256: e.uploadNamed("03.mp3", mp3)})
	pdf := []byte("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n" +
		"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n" +
		"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>> endobj\n" +
		"trailer <</Root 1 0 R>>\n%%EOF\n")
	lyrics := []byte("[00:01.00] the tide comes in\n[00:02.00] la marée monte\n")
	m.Extras = []api.ManifestExtra{{Name: "Booklet (FR).pdf", SHA256: e.uploadNamed("Booklet (FR).pdf", pdf)},
		{Name: "Paroles.lrc", SHA256: e.uploadNamed("Paroles.lrc", lyrics)}}
	rel, err := e.creator.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if rel, err = e.creator.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	e.measured(rel.ID)
	if _, err := e.fan.CreatePurchase(ctx, "undertow", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 700, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}); err != nil {
		t.Fatal(err)
	}

	sctx, cancel := context.WithCancel(ctx)
	var wg gosync.WaitGroup
	wg.Go(func() { e.lib.Serve(sctx) })
	defer func() { cancel(); wg.Wait() }()
	e.lib.Request()
	mirrored := func(f api.Format) {
		t.Helper()
		wait.For(t, 2*time.Minute, func() bool {
			rels, _ := e.lib.Releases(ctx)
			if len(rels) != 2 || rels[1].Title != "Undertow" || rels[1].Format != f || !rels[1].Offline || rels[1].Preparing != nil || len(rels[1].Extras) != 2 {
				return false
			}
			return rels[1].Extras[0].State == StateOK && rels[1].Extras[1].State == StateOK
		}, func() string {
			rels, _ := e.lib.Releases(ctx)
			return fmt.Sprintf("Undertow mirrored in %s: %+v", f, rels)
		})
	}
	dir := filepath.Join(e.lib.Dir(), "Ann _ The Band", "Undertow")
	holds := func(name string, trackID int64, f api.Format, magic string) {
		t.Helper()
		got, err := os.ReadFile(filepath.Join(dir, name))
		if want := e.served(trackID, f); err != nil || !bytes.Equal(got, want) || !bytes.HasPrefix(got, []byte(magic)) {
			t.Fatalf("%s: %d bytes, %v; want the %d bytes the platform serves as %s, starting %q", name, len(got), err, len(want), f, magic)
		}
	}
	mirrored(api.FormatFLAC)
	holds("01 - Wave 1.flac", rel.Tracks[0].ID, api.FormatFLAC, "fLaC")
	holds("02 - Wave 2.flac", rel.Tracks[1].ID, api.FormatFLAC, "fLaC")
	holds("03 - Shore.mp3", rel.Tracks[2].ID, api.FormatMP3, "ID3")
	for name, want := range map[string][]byte{"Booklet (FR).pdf": pdf, "Paroles.lrc": lyrics} {
		if got, err := os.ReadFile(filepath.Join(dir, "Bonus", name)); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Bonus/%s: %d bytes, %v; want the %d bytes uploaded", name, len(got), err, len(want))
		}
	}
	receiptPath := filepath.Join(e.lib.Dir(), "receipts", "2.json")
	receiptBefore, err := os.ReadFile(receiptPath)
	if err != nil {
		t.Fatal(err)
	}
	mp3Info, _ := os.Stat(filepath.Join(dir, "03 - Shore.mp3"))

	if err := e.lib.SetFormat(ctx, "opus"); err != nil {
		t.Fatal(err)
	}
	mirrored(api.FormatOpus)
	holds("01 - Wave 1.opus", rel.Tracks[0].ID, api.FormatOpus, "OggS")
	holds("02 - Wave 2.opus", rel.Tracks[1].ID, api.FormatOpus, "OggS")
	holds("03 - Shore.mp3", rel.Tracks[2].ID, api.FormatMP3, "ID3")
	for _, n := range []string{"01 - Wave 1.flac", "02 - Wave 2.flac"} {
		if exists(filepath.Join(dir, n)) {
			t.Fatalf("%s left after the switch to Opus", n)
		}
	}
	if fi, _ := os.Stat(filepath.Join(dir, "03 - Shore.mp3")); !fi.ModTime().Equal(mp3Info.ModTime()) {
		t.Fatal("the MP3 master was fetched again for a switch that does not concern it")
	}
	if b, _ := os.ReadFile(receiptPath); !bytes.Equal(b, receiptBefore) {
		t.Fatal("the receipt file changed with the format")
	}
	if p, err := VerifyReceiptFile(receiptPath, nil); err != nil || p.ReleaseID != rel.ID {
		t.Fatalf("receipt after the switch: %+v, %v", p, err)
	}
	items, _ := e.cache.LibraryItems(ctx)
	if len(items) != 2 || !items[0].ReceiptOK || !items[1].ReceiptOK {
		t.Fatalf("library records after the switch: %+v", items)
	}
	if !exists(filepath.Join(dir, "Bonus", "Booklet (FR).pdf")) {
		t.Fatal("the booklet went with the format")
	}
	if rep, err := e.lib.Check(ctx); err != nil || len(rep.Problems) != 0 || rep.Tracks != 6 {
		t.Fatalf("check after the switch: %+v, %v", rep, err)
	}
}
