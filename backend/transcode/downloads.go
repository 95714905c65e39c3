package transcode

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/store"
)

// TrackIn answers a download of a track the caller may download (the
// caller checked that) in f: the tagged file to serve and the format it
// is in (an MP3 master is always itself), or, while its transcode is
// being made, the progress of it (queued if it was not).
func (s *Service) TrackIn(ctx context.Context, tf *api.TrackFile, f api.Format) (*api.ArchiveFile, api.Format, *api.TranscodeProgress, error) {
	src, err := s.prepare(ctx, tf.AudioSHA256, f)
	if err != nil {
		return nil, "", nil, err
	}
	if src.status != nil {
		return nil, "", progressOf([]jobs.Status{*src.status}, 1), nil
	}
	rel, err := s.st.Release(ctx, tf.ReleaseID)
	if err != nil {
		return nil, "", nil, fmt.Errorf("release %d: %w", tf.ReleaseID, err)
	}
	receipt, err := s.receiptOf(ctx, tf.ReleaseID)
	if err != nil {
		return nil, "", nil, err
	}
	mt := api.ManifestTrack{Position: tf.Position, Title: tf.Title, AudioSHA256: tf.AudioSHA256}
	file, err := s.tag(ctx, src, tagsOf(rel, mt, receipt), rel.CoverSHA256)
	if err != nil {
		return nil, "", nil, err
	}
	file.Name = fmt.Sprintf("%02d %s%s", tf.Position, fileName(tf.Title), src.format.Ext())
	return file, src.format, nil, nil
}

// ArchiveIn makes a purchase's archive, as the caller may download it
// (the caller checked that), hold its tracks in f, tagged for the
// purchase: every track's transcode is queued at once, and until all are
// made it answers their progress.
func (s *Service) ArchiveIn(ctx context.Context, purchaseID int64, a *api.Archive, f api.Format) (*api.Archive, *api.TranscodeProgress, error) {
	_, tracks, err := s.st.PurchaseTracks(ctx, purchaseID)
	if err != nil {
		return nil, nil, fmt.Errorf("purchase %d tracks: %w", purchaseID, err)
	}
	byAudio := map[string]api.ManifestTrack{}
	for _, t := range tracks {
		byAudio[t.AudioSHA256] = t
	}
	srcs := map[string]source{}
	var waiting []jobs.Status
	total := 0
	for _, file := range a.Files {
		if _, ok := byAudio[file.SHA256]; !ok || file.SHA256 == "" {
			continue
		}
		if _, seen := srcs[file.SHA256]; seen {
			continue
		}
		total++
		src, err := s.prepare(ctx, file.SHA256, f)
		if err != nil {
			return nil, nil, err
		}
		srcs[file.SHA256] = src
		if src.status != nil {
			waiting = append(waiting, *src.status)
		}
	}
	if len(waiting) > 0 {
		return nil, progressOf(waiting, total), nil
	}
	p, err := s.st.Purchase(ctx, purchaseID)
	if err != nil {
		return nil, nil, err
	}
	rel, err := s.st.Release(ctx, p.ReleaseID)
	if err != nil {
		return nil, nil, err
	}
	out := &api.Archive{Name: a.Name, ModTime: a.ModTime}
	for _, file := range a.Files {
		src, ok := srcs[file.SHA256]
		if !ok {
			out.Files = append(out.Files, file)
			continue
		}
		tagged, err := s.tag(ctx, src, tagsOf(rel, byAudio[file.SHA256], purchaseID), rel.CoverSHA256)
		if err != nil {
			return nil, nil, err
		}
		tagged.Name = strings.TrimSuffix(file.Name, filepath.Ext(file.Name)) + src.format.Ext()
		out.Files = append(out.Files, *tagged)
	}
	return out, nil, nil
}

// receiptOf is the caller's purchase of a release; 0 when the caller
// downloads without one (their own release, a free track).
func (s *Service) receiptOf(ctx context.Context, releaseID int64) (int64, error) {
	c := api.CallerFromContext(ctx)
	if c == nil {
		return 0, nil
	}
	items, err := s.st.Library(ctx, c.Account.ID)
	if err != nil {
		return 0, err
	}
	for _, it := range items {
		if it.Release.ID == releaseID {
			return it.PurchaseID, nil
		}
	}
	return 0, nil
}

// tagsOf are the tags of a release's track, bought by purchase (0: none).
func tagsOf(rel *api.Release, t api.ManifestTrack, purchase int64) Tags {
	tags := Tags{Title: t.Title, Artist: rel.ArtistName, Album: rel.Title, Track: t.Position, Tracks: len(rel.Tracks)}
	if len(rel.ReleaseDate) >= 4 {
		tags.Year = rel.ReleaseDate[:4]
	} else if rel.PublishedAt != nil {
		tags.Year = rel.PublishedAt.Format("2006")
	}
	if purchase != 0 {
		tags.Comment = fmt.Sprintf("Megabox receipt %d", purchase)
	}
	for _, rt := range rel.Tracks {
		if rt.AudioSHA256 == t.AudioSHA256 && rt.Loudness != nil {
			tags.Loudness = rt.Loudness
		}
	}
	return tags
}

// tag is src tagged with tags and the cover: a blob, made once per
// distinct tagging and found again by later downloads while it is kept
// (see KeepTagged); made again, the same bytes, once evicted.
func (s *Service) tag(ctx context.Context, src source, tags Tags, cover string) (*api.ArchiveFile, error) {
	key := tagKey(src, tags, cover)
	s.mu.Lock()
	file, ok := s.tagged[key]
	s.mu.Unlock()
	if ok {
		if _, err := s.bucket.Stat(ctx, file.SHA256); err == nil {
			s.noteServed(ctx, file, false)
			return &file, nil
		}
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	file, err := s.tagOnce(ctx, src, tags, cover)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.tagged) >= 50_000 { // bounded: start again rather than grow
		clear(s.tagged)
	}
	s.tagged[key] = file
	s.mu.Unlock()
	s.noteServed(ctx, file, true)
	return &file, nil
}

func (s *Service) tagOnce(ctx context.Context, src source, tags Tags, coverSHA string) (api.ArchiveFile, error) {
	dir, err := os.MkdirTemp(s.tmp, "tag-")
	if err != nil {
		return api.ArchiveFile{}, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in"+src.format.Ext())
	if err := s.fetch(ctx, src.sha, in); err != nil {
		return api.ArchiveFile{}, err
	}
	var cover *Cover
	if coverSHA != "" {
		b, err := s.st.Blob(ctx, coverSHA)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return api.ArchiveFile{}, err
		}
		if err == nil && (b.MediaType == api.MediaJPEG || b.MediaType == api.MediaPNG) {
			cover = &Cover{Path: filepath.Join(dir, "cover"), MediaType: b.MediaType}
			if err := s.fetch(ctx, coverSHA, cover.Path); err != nil {
				return api.ArchiveFile{}, err
			}
		}
	}
	out := filepath.Join(dir, "out"+src.format.Ext())
	if err := s.enc.Tag(ctx, in, out, src.format, tags, cover); err != nil {
		return api.ArchiveFile{}, fmt.Errorf("tag %s: %w", src.sha, err)
	}
	return s.store(ctx, out)
}

func tagKey(src source, tags Tags, cover string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", src.sha, src.format, cover)
	for _, kv := range tags.fields(src.format) {
		fmt.Fprintf(h, "%s=%s\x00", kv[0], kv[1])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fileName makes a title safe as one path element on every system.
func fileName(title string) string {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, title)
	clean = strings.Trim(strings.TrimSpace(clean), ".")
	if len(clean) > 120 {
		clean = strings.ToValidUTF8(clean[:120], "")
	}
	if clean == "" {
		return "untitled"
	}
	return clean
}
