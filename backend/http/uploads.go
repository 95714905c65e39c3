package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

// tusHandler builds the tus endpoint. Uploads stage in cfg.UploadDir; when
// the last byte arrives the file is hashed, checked against the sha256 the
// client declared, moved into the bucket and probed for its media type.
func (s *Server) tusHandler() (http.Handler, error) {
	if err := os.MkdirAll(s.cfg.UploadDir, 0o750); err != nil {
		return nil, fmt.Errorf("upload dir: %w", err)
	}
	store := newHashingStore(s.cfg.UploadDir)
	s.staging = store
	composer := tus.NewStoreComposer()
	store.useIn(composer)
	h, err := tus.NewHandler(tus.Config{
		BasePath:                  UploadsPath,
		StoreComposer:             composer,
		MaxSize:                   s.cfg.MaxUploadSize,
		DisableDownload:           true,
		DisableConcatenation:      true,
		Cors:                      &tus.CorsConfig{Disable: true},
		Logger:                    expslog.New(expslog.NewTextHandler(io.Discard, nil)), // we log requests ourselves
		PreUploadCreateCallback:   s.beforeUpload,
		PreFinishResponseCallback: s.finishUpload,
	})
	if err != nil {
		return nil, fmt.Errorf("tus handler: %w", err)
	}
	return s.ownUploads(http.StripPrefix(strings.TrimSuffix(UploadsPath, "/"), h)), nil
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
			u, err := s.svc.Uploads.FindUpload(r.Context(), id)
			if err != nil {
				return err
			}
			if u.AccountID != api.AccountIDFromContext(r.Context()) {
				return notFound
			}
		} else if r.Method == http.MethodPost && r.ContentLength > s.cfg.MaxUploadSize {
			return errTooLarge
		}
		next.ServeHTTP(w, r)
		return nil
	})
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
	if err := checkDeclaredType(up.MetaData); err != nil {
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
	id := make([]byte, 16)
	rand.Read(id)
	u := api.Upload{ID: hex.EncodeToString(id), AccountID: c.Account.ID, SHA256: sha, Size: up.Size, Filename: filename}
	if err := s.svc.Uploads.BeginUpload(hook.Context, u, s.cfg.Quota); err != nil {
		return noChange(err)
	}
	// The filename is kept only as metadata; it never names a file here.
	return tus.HTTPResponse{}, tus.FileInfoChanges{ID: u.ID, MetaData: tus.MetaData{"sha256": sha, "filename": filename}}, nil
}

func noChange(err error) (tus.HTTPResponse, tus.FileInfoChanges, error) {
	return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(err)
}

// finishUpload verifies and stores a completed upload. A mismatch discards
// the bytes and the upload, so the client starts over.
func (s *Server) finishUpload(hook tus.HookEvent) (tus.HTTPResponse, error) {
	ctx := context.WithoutCancel(hook.Context)
	id, sha := hook.Upload.ID, hook.Upload.MetaData["sha256"]
	err := s.storeUpload(ctx, hook.Upload)
	if err != nil {
		s.discardUpload(ctx, hook.Upload)
		if api.ErrorCode(err) == api.ECHECKSUM {
			err = api.Errorf(api.ECHECKSUM, "uploaded bytes do not match sha256 %s: the upload was discarded, upload the file again", sha)
		}
		return tus.HTTPResponse{}, tusError(err)
	}
	b, err := s.describeBlob(ctx, sha, hook.Upload.Size)
	if err == nil {
		err = s.svc.Uploads.FinishUpload(ctx, id, *b)
	}
	s.discardUpload(ctx, hook.Upload)
	if err != nil {
		return tus.HTTPResponse{}, tusError(err)
	}
	return tus.HTTPResponse{Header: tus.HTTPHeader{"Megabox-Blob-Sha256": sha, "Megabox-Media-Type": b.MediaType}}, nil
}

// storeUpload moves a finished upload into the bucket, verified against its
// declared sha256: from the hash computed as the bytes arrived when there
// is one, else by reading the file.
func (s *Server) storeUpload(ctx context.Context, up tus.FileInfo) error {
	sha, path := up.MetaData["sha256"], up.Storage[filestore.StorageKeyPath]
	digest, ok := s.staging.digest(up.ID, up.Size)
	s.staging.forget(up.ID)
	if !ok {
		_, err := s.svc.Bucket.PutFile(ctx, sha, path)
		return err
	}
	if digest != sha {
		return api.Errorf(api.ECHECKSUM, "content hashes to %s, not %s", digest, sha)
	}
	_, err := s.svc.Bucket.AdoptFile(ctx, sha, path)
	return err
}

// describeBlob probes a stored blob. A damaged file is still stored (the
// creator owns it) but marked unknown, so a release cannot use it.
func (s *Server) describeBlob(ctx context.Context, sha string, size int64) (*api.Blob, error) {
	obj, err := s.svc.Bucket.Open(ctx, sha)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	info, err := media.Probe(obj)
	if err != nil {
		s.log.Info("uploaded file is damaged", "sha256", sha, "err", err)
		info = media.Info{MediaType: api.MediaUnknown}
	}
	return &api.Blob{SHA256: sha, Size: size, MediaType: info.MediaType, DurationMS: info.DurationMS, Width: info.Width, Height: info.Height}, nil
}

// discardUpload forgets an upload's staging files and record.
func (s *Server) discardUpload(ctx context.Context, info tus.FileInfo) {
	for _, key := range []string{filestore.StorageKeyPath, filestore.StorageKeyInfoPath} {
		if p := info.Storage[key]; p != "" {
			os.Remove(p)
		}
	}
	if err := s.svc.Uploads.AbortUpload(ctx, info.ID); err != nil {
		s.log.Error("forget upload", "id", info.ID, "err", err)
	}
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

// ExpireUploads forgets uploads begun more than UploadLifetime ago and
// deletes their staging files; it returns how many it removed.
func (s *Server) ExpireUploads(ctx context.Context, now time.Time) (int, error) {
	stale, err := s.svc.Uploads.StaleUploads(ctx, now.Add(-UploadLifetime))
	if err != nil {
		return 0, err
	}
	for _, u := range stale {
		if !uploadIDPattern.MatchString(u.ID) {
			continue // never a path we did not make
		}
		os.Remove(filepath.Join(s.cfg.UploadDir, u.ID))
		os.Remove(filepath.Join(s.cfg.UploadDir, u.ID+".info"))
		s.staging.forget(u.ID)
		if err := s.svc.Uploads.AbortUpload(ctx, u.ID); err != nil {
			return 0, err
		}
	}
	return len(stale), nil
}

// Janitor expires abandoned uploads every hour until ctx ends.
func (s *Server) Janitor(ctx context.Context) {
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
