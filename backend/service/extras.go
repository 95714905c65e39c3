package service

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// setExtras checks a manifest's bonus files and makes them the
// release's.
func setExtras(ctx context.Context, tx store.Tx, accountID, releaseID int64, extras []api.ManifestExtra) error {
	if err := checkExtras(ctx, tx, accountID, extras); err != nil {
		return err
	}
	return tx.ReplaceExtras(ctx, releaseID, extras)
}

// checkExtras refuses bonus files that are too many or too big together,
// badly or twice named, not the caller's, or not what their names say.
func checkExtras(ctx context.Context, tx store.Tx, accountID int64, extras []api.ManifestExtra) error {
	if len(extras) > api.MaxExtras {
		return api.FieldErrorf("extras", "a release can have at most %d bonus files, not %d", api.MaxExtras, len(extras))
	}
	seen := map[string]int{}
	var total int64
	for i, e := range extras {
		field := fmt.Sprintf("extras[%d].name", i)
		if err := checkExtraName(e.Name); err != nil {
			return api.FieldErrorf(field, "%s", err)
		}
		key := strings.ToLower(e.Name)
		if j, dup := seen[key]; dup {
			return api.FieldErrorf(field, "%q has the name of bonus file %d, %q: give each its own name", e.Name, j+1, extras[j].Name)
		}
		seen[key] = i
		want, limit, err := api.ExtraKind(e.Name)
		if err != nil {
			return api.FieldErrorf(field, "%s", api.ErrorMessage(err))
		}
		b, err := ownedBlob(ctx, tx, accountID, e.SHA256, fmt.Sprintf("extras[%d].sha256", i))
		if err != nil {
			return err
		}
		if b.MediaType != want {
			return api.FieldErrorf(field, "%q is %s, not what its name says (%s)", e.Name, kindName(b.MediaType), kindName(want))
		}
		if b.Size > limit {
			return &api.Error{Code: api.ETOOLARGE, Field: field, Message: fmt.Sprintf("%q is %s, over the %s limit for its kind", e.Name, sizeText(b.Size), sizeText(limit))}
		}
		total += b.Size
	}
	if total > api.MaxExtrasTotal {
		return &api.Error{Code: api.ETOOLARGE, Field: "extras", Message: fmt.Sprintf("the bonus files come to %s, over the %s a release may hold", sizeText(total), sizeText(api.MaxExtrasTotal))}
	}
	return nil
}

// checkExtraName wants a plain file name every system can save: no
// folders, no hidden (dot) files, no control or reserved characters.
func checkExtraName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("a bonus file needs a name")
	case !utf8.ValidString(name):
		return fmt.Errorf("the name is not valid UTF-8")
	case utf8.RuneCountInString(name) > api.MaxExtraNameLen:
		return fmt.Errorf("the name is over %d characters", api.MaxExtraNameLen)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%q names a folder: give the file's name alone", name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("%q starts with a dot: hidden files are not delivered", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("%q holds a control character", name)
	case strings.ContainsAny(name, `:*?"<>|`):
		return fmt.Errorf(`%q holds one of : * ? " < > |, which some systems cannot save`, name)
	case strings.TrimSpace(name) != name || strings.HasSuffix(name, "."):
		return fmt.Errorf("%q starts or ends with a space or ends with a dot", name)
	}
	return nil
}

// kindName names a media type in a message.
func kindName(mediaType string) string {
	switch mediaType {
	case api.MediaPDF:
		return "a PDF document"
	case api.MediaZIP:
		return "a ZIP archive"
	case api.MediaText:
		return "UTF-8 text"
	case api.MediaJPEG:
		return "a JPEG image"
	case api.MediaPNG:
		return "a PNG image"
	case api.MediaMP3, api.MediaFLAC:
		return "audio"
	}
	return mediaType
}

// sizeText is a byte count for people: "200 MiB", "1.5 GiB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.3g GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.3g MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.3g KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// AuthorizeExtra returns a release's bonus file if the caller may
// download it, as AuthorizeTrack decides for its tracks: the release's
// creator, a buyer, or anyone signed in for a free published release.
// ENOTFOUND when the release is not visible to the caller or has no
// bonus file of that name, EFORBIDDEN when the caller must buy it first.
func (s *DownloadService) AuthorizeExtra(ctx context.Context, releaseID int64, name string) (*api.Extra, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	rel, err := s.st.Release(ctx, releaseID)
	if err != nil {
		return nil, notFound(err, "release %d not found", releaseID)
	}
	if rel.ArtistID != c.Account.ID {
		owns, err := s.st.Owns(ctx, c.Account.ID, releaseID)
		if err != nil {
			return nil, err
		}
		switch {
		case !owns && rel.State != api.StatePublished:
			return nil, api.Errorf(api.ENOTFOUND, "release %d not found", releaseID)
		case !owns && rel.PriceCents != 0:
			return nil, api.Errorf(api.EFORBIDDEN, "buy this release to download its bonus files")
		}
	}
	for _, e := range rel.Extras {
		if e.Name == name {
			return &e, nil
		}
	}
	return nil, api.Errorf(api.ENOTFOUND, "release %d has no bonus file named %q", releaseID, name)
}

var _ api.ExtraService = (*DownloadService)(nil)

// addExtras puts a release's bonus files in its purchase archive, in a
// Bonus folder beside the tracks.
func addExtras(a *api.Archive, dir string, rel *api.Release) {
	for _, e := range rel.Extras {
		a.Files = append(a.Files, api.ArchiveFile{Name: dir + "/Bonus/" + fileName(e.Name), SHA256: e.SHA256, Size: e.Size})
	}
}

// masterFile places a track's master in an archive under base and its
// codec's extension.
func (s *PurchaseService) masterFile(ctx context.Context, sha, base string) (api.ArchiveFile, error) {
	b, err := s.st.Blob(ctx, sha)
	if err != nil {
		return api.ArchiveFile{}, fmt.Errorf("blob %s: %w", sha, err)
	}
	ext := ".mp3"
	if b.MediaType == api.MediaFLAC {
		ext = ".flac"
	}
	return api.ArchiveFile{Name: base + ext, SHA256: sha, Size: b.Size}, nil
}
