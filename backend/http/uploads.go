package http

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	gosync "sync"
	"time"
	"unicode/utf8"

	"github.com/tus/tusd/v2/pkg/filestore"
	tus "github.com/tus/tusd/v2/pkg/handler"
	expslog "golang.org/x/exp/slog"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
)

// UploadsPath is where the tus 1.0 endpoint lives.
const UploadsPath = "/api/v1/uploads/"

var uploadIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// tusHandler builds the tus endpoint. Uploads stage in cfg.UploadDir and
// are hashed and identified as their bytes arrive; when the last byte
// arrives the hash is checked against the sha256 the client declared,
// anything but MP3 audio the player can play or a JPEG/PNG image is
// refused, and the file moves into the bucket. A small file can come
// whole in the request that creates its upload (tus creation-with-upload).
func (s *Server) tusHandler() (http.Handler, error) {
	composer, err := s.uploadStore()
	if err != nil {
		return nil, err
	}
	h, err := tus.NewHandler(tus.Config{
		BasePath:                  UploadsPath,
		StoreComposer:             composer,
		MaxSize:                   s.cfg.MaxUploadSize,
		DisableDownload:           true,
		DisableConcatenation:      true,
		Cors:                      &tus.CorsConfig{Disable: true},
		RespectForwardedHeaders:   true,                                                 // as forwardedProto leaves them
		Logger:                    expslog.New(expslog.NewTextHandler(io.Discard, nil)), // we log requests ourselves
		PreUploadCreateCallback:   s.beforeUpload,
		PreFinishResponseCallback: s.finishUpload,
	})
	if err != nil {
		return nil, fmt.Errorf("tus handler: %w", err)
	}
	return s.ownUploads(http.StripPrefix(strings.TrimSuffix(UploadsPath, "/"), h)), nil
}

// uploadStore sets up where uploads in progress live: this server's disk,
// or S3 shared with other servers.
func (s *Server) uploadStore() (*tus.StoreComposer, error) {
	composer := tus.NewStoreComposer()
	if s.cfg.Shared != nil {
		s.shared = newSharedStore(*s.cfg.Shared, s.log)
		s.shared.locks.shared = s.cfg.Shared.Locks
		composer.UseCore(s.shared)
		composer.UseTerminater(s.shared)
		composer.UseLocker(s.shared.locks)
		return composer, nil
	}
	if err := os.MkdirAll(s.cfg.UploadDir, 0o750); err != nil {
		return nil, fmt.Errorf("upload dir: %w", err)
	}
	s.staging = newHashingStore(s.cfg.UploadDir, s.reserved)
	s.staging.partial = s.recordPartial
	s.staging.useIn(composer)
	return composer, nil
}

// ownUploads lets a request name an upload only if the caller created it;
// any other id does not exist for them.
func (s *Server) ownUploads(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		id := strings.Trim(strings.TrimPrefix(r.URL.Path, UploadsPath), "/")
		if id != "" {
			notFound := api.Errorf(api.ENOTFOUND, "upload not found")
			if !uploadIDPattern.MatchString(id) {
				return notFound
			}
			owner, err := s.uploadOwner(r.Context(), id)
			if err != nil {
				return err
			}
			if owner != api.AccountIDFromContext(r.Context()) {
				return notFound
			}
		} else if r.Method == http.MethodPost {
			if r.ContentLength > s.cfg.MaxUploadSize {
				return errTooLarge
			}
			var c *creation
			r, c = withCreation(r, w)
			defer s.endCreation(c)
		}
		s.forwardedProto(r)
		next.ServeHTTP(w, withBodyLength(r))
		return nil
	})
}

// forwardedProto keeps, of the forwarding headers tus reads to build an
// upload's URL, only the scheme a trusted proxy states: behind a proxy
// that ends TLS the URL says https, and no client can make it name
// another host or scheme. The host stays the request's, which the Host
// check passed.
func (s *Server) forwardedProto(r *http.Request) {
	proto := r.Header.Get("X-Forwarded-Proto")
	for _, h := range []string{"X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded"} {
		r.Header.Del(h)
	}
	if (proto == "https" || proto == "http") && isTrusted(parseAddr(r.RemoteAddr), s.cfg.TrustedProxies) {
		r.Header.Set("X-Forwarded-Proto", proto)
	}
}

// endCreation drops an upload held for a creation request that never got
// to its bytes (the client never learned where it lives).
func (s *Server) endCreation(c *creation) {
	if c.id == "" {
		return
	}
	if _, ok := s.reserved.get(c.id); ok {
		s.dropStaging(context.Background(), c.id)
		s.reserved.remove(c.id)
	}
}

// beforeUpload validates a new upload's metadata and reserves quota. Only
// creators upload, and only what a release can use.
func (s *Server) beforeUpload(hook tus.HookEvent) (tus.HTTPResponse, tus.FileInfoChanges, error) {
	c := api.CallerFromContext(hook.Context)
	if c == nil {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(api.Errorf(api.EUNAUTHORIZED, "sign in first"))
	}
	if !c.Account.Creator {
		return noChange(api.Errorf(api.EFORBIDDEN, "only creator accounts can upload files"))
	}
	up := hook.Upload
	if err := checkDeclaredType(up.MetaData, up.Size); err != nil {
		return noChange(err)
	}
	sha := up.MetaData["sha256"]
	filename := up.MetaData["filename"]
	switch {
	case up.SizeIsDeferred:
		return noChange(api.Errorf(api.EINVALID, "declare the size with Upload-Length"))
	case up.Size <= 0:
		return noChange(api.Errorf(api.EINVALID, "empty files cannot be uploaded"))
	case !api.ValidSHA256(sha):
		return noChange(&api.Error{Code: api.EINVALID, Field: "sha256", Message: "Upload-Metadata must carry the file's lowercase hex sha256 under the key sha256"})
	case len(filename) > 1024 || !utf8.ValidString(filename):
		return noChange(&api.Error{Code: api.EINVALID, Field: "filename", Message: "filename must be UTF-8 of at most 1024 bytes"})
	}
	if hook.HTTPRequest.Header.Get(UnlessOwnedHeader) != "" {
		if owned, err := s.svc.Blobs.HasBlob(hook.Context, sha); err != nil {
			return noChange(err)
		} else if owned {
			return alreadyOwned(sha)
		}
	}
	id := make([]byte, 16)
	rand.Read(id)
	u := api.Upload{ID: hex.EncodeToString(id), AccountID: c.Account.ID, SHA256: sha, Size: up.Size, Filename: filename}
	// On one server a whole upload's quota is held in memory until it is
	// stored; servers sharing uploads count every upload in the database,
	// so that none can pass an account's quota through another.
	whole := hook.HTTPRequest.Header.Get("Content-Type") == "application/offset+octet-stream" && s.shared == nil
	if err := s.reserve(hook.Context, u, whole); err != nil {
		return noChange(err)
	}
	s.metrics.uploadsStarted.Inc()
	if cr := creationFrom(hook.Context); cr != nil {
		cr.id = u.ID
	}
	// The filename is kept only as metadata; it never names a file here.
	return tus.HTTPResponse{}, tus.FileInfoChanges{ID: u.ID, MetaData: tus.MetaData{"sha256": sha, "filename": filename}}, nil
}

func noChange(err error) (tus.HTTPResponse, tus.FileInfoChanges, error) {
	return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(err)
}

// UnlessOwnedHeader on a creation request asks the server to create no
// upload when the caller already owns the blob: it then answers 200 with
// the blob's sha256 in Megabox-Blob-Sha256, before any byte is sent (the
// Go client sends its body only after "100 Continue").
const UnlessOwnedHeader = "Megabox-Unless-Owned"

func alreadyOwned(sha string) (tus.HTTPResponse, tus.FileInfoChanges, error) {
	return tus.HTTPResponse{}, tus.FileInfoChanges{}, tus.Error{
		ErrorCode: "ALREADY_OWNED",
		Message:   "the caller already owns this blob",
		HTTPResponse: tus.HTTPResponse{
			StatusCode: http.StatusOK,
			Header:     tus.HTTPHeader{"Megabox-Blob-Sha256": sha},
		},
	}
}

// finishUpload verifies, identifies and stores a completed upload. A
// mismatch, or a file the platform cannot use, discards the bytes and the
// upload (its quota is free again), so the client starts over.
func (s *Server) finishUpload(hook tus.HookEvent) (tus.HTTPResponse, error) {
	ctx := context.WithoutCancel(hook.Context)
	up := hook.Upload
	b, err := s.receive(ctx, up)
	if err == nil {
		err = s.storeBlob(ctx, up, b)
	}
	s.metrics.uploadFinished(err)
	if err != nil {
		s.discardUpload(ctx, up)
		return tus.HTTPResponse{}, tusError(err)
	}
	return tus.HTTPResponse{Header: tus.HTTPHeader{"Megabox-Blob-Sha256": b.SHA256, "Megabox-Media-Type": b.MediaType}}, nil
}

// receive checks a finished upload against its declared sha256 and says
// what it is, from what was computed as its bytes arrived when there is
// that, else by reading the staged file once.
func (s *Server) receive(ctx context.Context, up tus.FileInfo) (*api.Blob, error) {
	sha := up.MetaData["sha256"]
	digest, sniff, err := s.receivedBytes(ctx, up)
	if err != nil {
		return nil, err
	}
	if digest != sha {
		return nil, api.Errorf(api.ECHECKSUM, "uploaded bytes do not match sha256 %s: the upload was discarded, upload the file again", sha)
	}
	info, err := sniff.Info()
	if err != nil {
		// Probe's errors describe the file (damaged, or audio the player
		// cannot play), never the server: they are the creator's to read.
		msg := err.Error()
		if e := (*api.Error)(nil); errors.As(err, &e) {
			msg = e.Message
		}
		return nil, &api.Error{Code: api.EUNSUPPORTED, Field: "file", Message: uploadName(up) + ": " + msg}
	}
	if info.MediaType == api.MediaUnknown {
		return nil, &api.Error{Code: api.EUNSUPPORTED, Field: "file", Message: uploadName(up) + " is not a kind of file the platform takes: " + acceptedUploads}
	}
	if err := checkContentFitsName(up.MetaData["filename"], info.MediaType); err != nil {
		return nil, err
	}
	return &api.Blob{SHA256: sha, Size: up.Size, MediaType: info.MediaType, DurationMS: info.DurationMS, Width: info.Width, Height: info.Height,
		SampleRate: info.SampleRate, BitDepth: info.BitDepth, Channels: info.Channels}, nil
}

// receivedBytes returns what the running hash made of an upload's bytes,
// or reads them once when it could not see them all.
func (s *Server) receivedBytes(ctx context.Context, up tus.FileInfo) (string, *media.Sniffer, error) {
	if s.shared != nil {
		if digest, sniff, ok := s.shared.received(ctx, up.ID, up.Size); ok {
			return digest, sniff, nil
		}
		s.metrics.uploadReadBack()
		return s.shared.readBack(ctx, up.ID)
	}
	digest, sniff, ok := s.staging.received(up.ID, up.Size)
	s.staging.forget(up.ID)
	if ok {
		return digest, sniff, nil
	}
	s.metrics.uploadReadBack()
	return readStaged(ctx, up.Storage[filestore.StorageKeyPath])
}

// uploadName names an upload in a message: its filename, else its sha256.
func uploadName(up tus.FileInfo) string {
	if f := up.MetaData["filename"]; f != "" {
		return quote(f)
	}
	return "the file with sha256 " + up.MetaData["sha256"]
}

// readStaged hashes and identifies a staged file in one read.
func readStaged(ctx context.Context, path string) (string, *media.Sniffer, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, fmt.Errorf("open staged upload: %w", err)
	}
	defer f.Close()
	h, sniff := sha256.New(), media.NewSniffer()
	if _, err := io.CopyBuffer(io.MultiWriter(h, sniff), f, make([]byte, 1<<20)); err != nil {
		return "", nil, fmt.Errorf("read staged upload: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), sniff, nil
}

// storeBlob moves a verified upload into the bucket (its bytes fsynced
// there first) and then records the blob, the account's ownership and the
// end of the upload in one transaction.
func (s *Server) storeBlob(ctx context.Context, up tus.FileInfo, b *api.Blob) error {
	if err := s.adopt(ctx, up, b.SHA256); err != nil {
		return err
	}
	if held, ok := s.reserved.get(up.ID); ok {
		err := s.svc.Uploads.StoreBlob(ctx, held.AccountID, *b)
		if err == nil {
			s.reserved.remove(up.ID)
		}
		return err
	}
	return s.svc.Uploads.FinishUpload(ctx, up.ID, *b)
}

// adopt makes a verified upload's bytes the blob sha in the bucket.
func (s *Server) adopt(ctx context.Context, up tus.FileInfo, sha string) error {
	if s.shared != nil {
		return s.shared.adopt(ctx, up.ID, sha)
	}
	if _, err := s.svc.Bucket.AdoptFile(ctx, sha, up.Storage[filestore.StorageKeyPath]); err != nil {
		return err
	}
	os.Remove(up.Storage[filestore.StorageKeyInfoPath])
	s.staging.letGo(up.ID)
	return nil
}

// discardUpload forgets an upload's staging files and record.
func (s *Server) discardUpload(ctx context.Context, info tus.FileInfo) {
	s.dropStaging(ctx, info.ID)
	if _, ok := s.reserved.get(info.ID); ok {
		s.reserved.remove(info.ID)
		return
	}
	if err := s.svc.Uploads.AbortUpload(ctx, info.ID); err != nil {
		s.log.ErrorContext(ctx, "forget upload", "id", info.ID, "err", err)
	}
}

// dropStaging deletes an upload's staging files and running hash.
func (s *Server) dropStaging(ctx context.Context, id string) {
	if !uploadIDPattern.MatchString(id) {
		return // never a path we did not make
	}
	if s.shared != nil {
		s.shared.drop(ctx, id)
		return
	}
	os.Remove(filepath.Join(s.cfg.UploadDir, id))
	os.Remove(filepath.Join(s.cfg.UploadDir, id+".info"))
	s.staging.forget(id)
	s.staging.letGo(id)
}

// tusError turns an application error into a tus error whose body is our
// problem document.
func tusError(err error) tus.Error {
	p := problemFor(err)
	body, _ := json.Marshal(p)
	return tus.Error{
		ErrorCode: p.Code,
		Message:   p.Detail,
		HTTPResponse: tus.HTTPResponse{
			StatusCode: p.Status,
			Body:       string(body),
			Header:     tus.HTTPHeader{"Content-Type": "application/problem+json"},
		},
	}
}

// UploadLifetime is how long an unfinished upload keeps its staging bytes
// and its share of the quota.
const UploadLifetime = 7 * 24 * time.Hour

// StagingGrace is how old a staging file with no upload behind it must be
// before it is deleted: one is made a moment before its upload is known
// everywhere it is looked for.
const StagingGrace = time.Hour

// ExpireUploads forgets uploads begun more than UploadLifetime ago and
// deletes their staging files, then deletes staging files that no upload
// owns any more (a whole file held in memory when the server stopped
// leaves one behind with no record). It returns how many uploads and
// orphaned files it removed.
func (s *Server) ExpireUploads(ctx context.Context, now time.Time) (int, error) {
	stale, err := s.svc.Uploads.StaleUploads(ctx, now.Add(-UploadLifetime))
	if err != nil {
		return 0, err
	}
	for _, u := range stale {
		if !uploadIDPattern.MatchString(u.ID) {
			continue // never a path we did not make
		}
		s.dropStaging(ctx, u.ID)
		if err := s.svc.Uploads.AbortUpload(ctx, u.ID); err != nil {
			return 0, err
		}
	}
	if s.shared != nil {
		// Parts of multipart uploads nobody finished are the bucket's
		// lifecycle rule's (docs/deploy.md).
		return len(stale), nil
	}
	orphans, err := s.removeOrphanedStaging(ctx, now.Add(-StagingGrace))
	return len(stale) + orphans, err
}

// removeOrphanedStaging deletes staging files last written before cutoff
// whose upload is neither held by this process nor recorded. Only names
// this server makes are considered; the names come from the directory,
// never from a request.
func (s *Server) removeOrphanedStaging(ctx context.Context, cutoff time.Time) (int, error) {
	entries, err := os.ReadDir(s.cfg.UploadDir)
	if err != nil {
		return 0, fmt.Errorf("list staging: %w", err)
	}
	removed := 0
	for _, e := range entries {
		id := strings.TrimSuffix(e.Name(), ".info")
		if !e.Type().IsRegular() || !uploadIDPattern.MatchString(id) {
			continue
		}
		if fi, err := e.Info(); err != nil || !fi.ModTime().Before(cutoff) {
			continue
		}
		if live, err := s.uploadLive(ctx, id); err != nil {
			return removed, err
		} else if live {
			continue
		}
		if err := os.Remove(filepath.Join(s.cfg.UploadDir, e.Name())); err == nil {
			removed++
		}
	}
	return removed, nil
}

// uploadLive reports whether an upload still owns its staging files. The
// order matters: a held upload is recorded before it is let go, so
// looking in memory first and the database second never misses one that
// moves between them.
func (s *Server) uploadLive(ctx context.Context, id string) (bool, error) {
	if _, ok := s.reserved.get(id); ok {
		return true, nil
	}
	if s.staging.running(id) {
		return true, nil
	}
	_, err := s.svc.Uploads.FindUpload(ctx, id)
	if api.ErrorCode(err) == api.ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

// Janitor runs the uploads' background work until ctx ends: it expires
// abandoned uploads every hour and, with locks shared between servers,
// lets go of uploads that requests on other servers want.
func (s *Server) Janitor(ctx context.Context) {
	var wg gosync.WaitGroup
	defer wg.Wait()
	if s.shared != nil && s.shared.locks.shared != nil {
		wg.Go(func() { s.listenForReleases(ctx) })
	}
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := s.ExpireUploads(ctx, time.Now()); err != nil {
			s.log.Error("expire uploads", "err", err)
		} else if n > 0 {
			s.log.Info("expired abandoned uploads", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// listenForReleases passes other servers' requests for uploads to the
// local holders, listening again after a lost connection.
func (s *Server) listenForReleases(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.shared.locks.shared.Listen(ctx, s.shared.locks.askLocal)
		if err == nil || ctx.Err() != nil {
			return
		}
		s.log.Warn("listen for upload releases", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
