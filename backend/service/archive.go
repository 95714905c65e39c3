package service

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/megabox-fm/megabox/backend/api"
)

var _ api.ArchiveService = (*PurchaseService)(nil)

// PurchaseArchive implements api.ArchiveService: the tracks the fan owns
// by the purchase (as sold, whatever the release became), its cover and
// the receipt, in a folder named after the release.
func (s *PurchaseService) PurchaseArchive(ctx context.Context, purchaseID int64) (*api.Archive, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	fan, tracks, err := s.st.PurchaseTracks(ctx, purchaseID)
	if err != nil || fan != c.Account.ID {
		return nil, notFound(orNotFound(err), "purchase %d not found", purchaseID)
	}
	p, err := s.st.Purchase(ctx, purchaseID)
	if err != nil {
		return nil, err
	}
	if p.RefundedCents >= p.GrossCents && p.GrossCents > 0 {
		return nil, api.Errorf(api.ENOTFOUND, "purchase %d was refunded", purchaseID)
	}
	rel, err := s.st.Release(ctx, p.ReleaseID)
	if err != nil {
		return nil, err
	}
	dir := fileName(rel.ArtistName + " - " + rel.Title)
	a := &api.Archive{Name: dir + ".zip", ModTime: p.CreatedAt}
	tracks, held := heldTracks(rel, tracks, s.clock())
	for _, t := range tracks {
		f, err := s.masterFile(ctx, t.AudioSHA256, fmt.Sprintf("%s/%02d %s", dir, t.Position, fileName(t.Title)))
		if err != nil {
			return nil, err
		}
		a.Files = append(a.Files, f)
	}
	if rel.CoverSHA256 != "" {
		b, err := s.st.Blob(ctx, rel.CoverSHA256)
		if err != nil {
			return nil, err
		}
		ext := map[string]string{api.MediaJPEG: ".jpg", api.MediaPNG: ".png"}[b.MediaType]
		a.Files = append(a.Files, api.ArchiveFile{Name: dir + "/cover" + ext, SHA256: b.SHA256, Size: b.Size})
	}
	addExtras(a, dir, rel)
	receipt := []byte(p.Receipt + "\n")
	note := []byte(fmt.Sprintf("Purchase %d of %q by %s, %s.\n%s\n\nreceipt.jws is signed by Megabox: check it against the keys at /api/v1/receipts/keys.\n",
		p.ID, rel.Title, rel.ArtistName, p.CreatedAt.Format("2006-01-02"), s.purchase(p).Split) + heldNote(held, rel.ReleaseDate))
	a.Files = append(a.Files,
		api.ArchiveFile{Name: dir + "/receipt.jws", Size: int64(len(receipt)), Data: receipt},
		api.ArchiveFile{Name: dir + "/receipt.txt", Size: int64(len(note)), Data: note})
	return a, nil
}

// fileName makes a title safe as one path element on every system: no
// separators, control or reserved characters, no leading dots, at most
// 120 bytes.
func fileName(title string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		}
		return r
	}, title)
	clean = strings.Trim(strings.TrimSpace(clean), ".")
	for len(clean) > 120 {
		_, size := utf8.DecodeLastRuneInString(clean)
		clean = clean[:len(clean)-size]
	}
	if clean == "" {
		return "untitled"
	}
	return clean
}

// heldNote tells, in receipt.txt, which tracks of a pre-order the
// archive leaves out until the release day.
func heldNote(held []api.ManifestTrack, releaseDate string) string {
	if len(held) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nPre-order: these tracks are available on %s; download the archive again then.\n", releaseDate)
	for _, t := range held {
		fmt.Fprintf(&b, "%02d %s\n", t.Position, t.Title)
	}
	return b.String()
}
