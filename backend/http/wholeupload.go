package http

import (
	"context"
	"net/http"
	gosync "sync"

	"github.com/megabox-fm/megabox/backend/api"
)

// An upload whose bytes come in the request that creates it (tus
// creation-with-upload) usually finishes in that request: it is then
// written to the database once, with its blob, when it finishes. Until
// then it lives here, holding its share of the quota; if the request ends
// before the last byte, the upload is recorded so the client can resume.

// reservations holds the uploads begun by a request that carries their
// bytes and not yet recorded in the database.
type reservations struct {
	decide gosync.Mutex // one quota decision at a time

	mu   gosync.Mutex
	held map[string]api.Upload
}

func newReservations() *reservations {
	return &reservations{held: map[string]api.Upload{}}
}

func (r *reservations) add(u api.Upload) {
	r.mu.Lock()
	r.held[u.ID] = u
	r.mu.Unlock()
}

// get returns a held upload.
func (r *reservations) get(id string) (api.Upload, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u, ok := r.held[id]
	return u, ok
}

// remove lets go of an upload once the database holds what it became (a
// blob or an upload record), so its bytes are never uncounted.
func (r *reservations) remove(id string) {
	r.mu.Lock()
	delete(r.held, id)
	r.mu.Unlock()
}

// bytes is what an account's held uploads reserve.
func (r *reservations) bytes(accountID int64) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int64
	for _, u := range r.held {
		if u.AccountID == accountID {
			n += u.Size
		}
	}
	return n
}

// reserve checks an upload against the account's quota, counting what it
// stores, what it is uploading and what its held uploads reserve. An
// upload whose bytes come with its creation is held in memory; any other
// is recorded in the database at once.
func (s *Server) reserve(ctx context.Context, u api.Upload, whole bool) error {
	r := s.reserved
	r.decide.Lock()
	defer r.decide.Unlock()
	held := r.bytes(u.AccountID)
	quota := s.cfg.Quota
	if !whole {
		if quota > 0 {
			if quota -= held; quota <= 0 {
				return api.Errorf(api.EQUOTA, "storage quota exceeded: %d bytes are being uploaded, upload needs %d", held, u.Size)
			}
		}
		return s.svc.Uploads.BeginUpload(ctx, u, quota)
	}
	if quota > 0 {
		used, err := s.svc.Uploads.UsedBytes(ctx, u.AccountID)
		if err != nil {
			return err
		}
		if used+held+u.Size > quota {
			return api.Errorf(api.EQUOTA, "storage quota exceeded: %d of %d bytes used, upload needs %d", used+held, quota, u.Size)
		}
	}
	r.add(u)
	return nil
}

// recordPartial records a held upload whose request ended before its last
// byte, so the client can resume it; its quota moves to the record.
func (s *Server) recordPartial(ctx context.Context, id string) {
	u, ok := s.reserved.get(id)
	if !ok {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if err := s.svc.Uploads.BeginUpload(ctx, u, 0); err != nil {
		// Without a record the upload cannot be resumed: drop it, and
		// the client starts again.
		s.log.ErrorContext(ctx, "record unfinished upload", "id", id, "err", err)
		s.dropStaging(ctx, id)
	}
	s.reserved.remove(id)
}

// uploadOwner returns the account an upload in progress belongs to.
func (s *Server) uploadOwner(ctx context.Context, id string) (int64, error) {
	if u, ok := s.reserved.get(id); ok {
		return u.AccountID, nil
	}
	u, err := s.svc.Uploads.FindUpload(ctx, id)
	if err != nil {
		return 0, err
	}
	return u.AccountID, nil
}

// StatusUploadResumable is the informational response (from the IETF
// draft for resumable uploads) that tells a client where the upload it is
// sending lives before it sends a byte, so a cut request can be resumed.
const StatusUploadResumable = 104

// creation is what one tus creation request knows about its upload.
type creation struct {
	w         http.ResponseWriter
	id        string
	announced bool
}

type creationKey struct{}

func withCreation(r *http.Request, w http.ResponseWriter) (*http.Request, *creation) {
	c := &creation{w: w}
	return r.WithContext(context.WithValue(r.Context(), creationKey{}, c)), c
}

func creationFrom(ctx context.Context) *creation {
	c, _ := ctx.Value(creationKey{}).(*creation)
	return c
}

// announceUpload sends the upload's location in a 104 response when the
// request that created it is about to read its bytes. It runs on the
// handler's goroutine before the body is read, so it cannot race with the
// server's own "100 Continue".
func announceUpload(ctx context.Context, id string) {
	c := creationFrom(ctx)
	if c == nil || c.announced || c.id != id {
		return
	}
	c.announced = true
	// An informational response is not the final one: it goes to the
	// connection itself, past the wrappers that watch for the final status.
	w := c.w
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	w.Header().Set("Location", UploadsPath+id)
	w.WriteHeader(StatusUploadResumable)
}
