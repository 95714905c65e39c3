package http

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Code redemptions are throttled like sign-ins, so codes cannot be
// guessed: every attempt that does not redeem a code counts, at most
// maxCodeTriesAccount per account and maxCodeTriesIP per address in a
// window. With 32^10 possible codes, that leaves a guesser no chance.
const (
	codeWindow          = 15 * time.Minute
	maxCodeTriesAccount = 10
	maxCodeTriesIP      = 50
)

func (s *Server) createCodes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in api.CodeBatchCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.svc.Codes.CreateCodes(r.Context(), id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // the only copy of the codes
	if wantsCSV(r) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="megabox-codes-`+itoa(out.Batch.ID)+`.csv"`)
		w.WriteHeader(http.StatusCreated)
		return api.WriteCodesCSV(w, out)
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// wantsCSV: ?format=csv, or a client that accepts CSV and not JSON.
func wantsCSV(r *http.Request) bool {
	if r.URL.Query().Get("format") == "csv" {
		return true
	}
	a := r.Header.Get("Accept")
	return strings.Contains(a, "text/csv") && !strings.Contains(a, "application/json")
}

func (s *Server) codeBatches(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	bs, err := s.svc.Codes.CodeBatches(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bs)
	return nil
}

func (s *Server) revokeCodes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	batch, err := pathID(r, "batch")
	if err != nil {
		return err
	}
	b, err := s.svc.Codes.RevokeCodeBatch(r.Context(), id, batch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) redeemCode(w http.ResponseWriter, r *http.Request) error {
	c, err := api.RequireCaller(r.Context())
	if err != nil {
		return err
	}
	var in api.CodeRedeem
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var out *api.Redemption
	err = s.tryCode(w, r, c.Account.ID, func() error {
		out, err = s.svc.Codes.RedeemCode(r.Context(), in)
		return err
	})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if out.Purchase != nil {
		status = http.StatusCreated
	}
	writeJSON(w, status, out)
	return nil
}

// tryCode runs one attempt at a code, counted against the caller's and
// their address's limits unless it redeems the code.
func (s *Server) tryCode(w http.ResponseWriter, r *http.Request, accountID int64, fn func() error) error {
	acct, ip := "c:"+itoa(accountID), ipKey(s.clientKey(r))
	if wait, full := s.throttle.codes.reserve(limit{acct, maxCodeTriesAccount}, limit{ip, maxCodeTriesIP}); full || wait > 0 {
		return tooMany(w, wait, "too many attempts at codes: try again in %d minutes")
	}
	err := fn()
	if err == nil || api.ErrorCode(err) == api.EBUSY || api.ErrorCode(err) == api.EINTERNAL {
		s.throttle.codes.release(acct)
		s.throttle.codes.release(ip)
	}
	return err
}

// tryCodeWeb is tryCode for the web's code forms, which are answered with
// a redirect once a code did what it gives; the visitor is known by their
// session cookie.
func (s *Server) tryCodeWeb(rec *statusRecorder, r *http.Request, next http.Handler) {
	acct := "w:anonymous"
	if ck, err := r.Cookie(api.SessionCookie); err == nil && ck.Value != "" && len(ck.Value) <= 200 {
		if c, err := s.svc.Auth.Authenticate(r.Context(), ck.Value); err == nil {
			acct = "c:" + itoa(c.Account.ID)
		} else {
			sum := sha256.Sum256([]byte(ck.Value))
			acct = "w:" + hex.EncodeToString(sum[:8])
		}
	}
	ip := ipKey(s.clientKey(r))
	if wait, full := s.throttle.codes.reserve(limit{acct, maxCodeTriesAccount}, limit{ip, maxCodeTriesIP}); full || wait > 0 {
		tooManyPage(rec, wait, "Too many attempts at codes: try again in %d minutes.")
		return
	}
	next.ServeHTTP(rec, r)
	if rec.status < 400 || rec.status >= 500 { // a code that did what it gives, or never tried
		s.throttle.codes.release(acct)
		s.throttle.codes.release(ip)
	}
}

// codesEnabled answers 404 on a server without codes.
func (s *Server) codesEnabled(next func(w http.ResponseWriter, r *http.Request) error) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.svc.Codes == nil {
			return api.Errorf(api.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path)
		}
		return next(w, r)
	}
}

// CreateCodes implements api.CodeService.
func (c *Client) CreateCodes(ctx context.Context, releaseID int64, in api.CodeBatchCreate) (*api.CodeBatchCreated, error) {
	var out api.CodeBatchCreated
	return &out, c.call(ctx, http.MethodPost, releasePath(releaseID, "/codes"), in, &out)
}

// CodeBatches implements api.CodeService.
func (c *Client) CodeBatches(ctx context.Context, releaseID int64) ([]api.CodeBatch, error) {
	var out []api.CodeBatch
	return out, c.call(ctx, http.MethodGet, releasePath(releaseID, "/codes"), nil, &out)
}

// RevokeCodeBatch implements api.CodeService.
func (c *Client) RevokeCodeBatch(ctx context.Context, releaseID, batchID int64) (*api.CodeBatch, error) {
	var out api.CodeBatch
	return &out, c.call(ctx, http.MethodDelete, releasePath(releaseID, "/codes/"+itoa(batchID)), nil, &out)
}

// RedeemCode implements api.CodeService.
func (c *Client) RedeemCode(ctx context.Context, in api.CodeRedeem) (*api.Redemption, error) {
	var out api.Redemption
	return &out, c.call(ctx, http.MethodPost, "/api/v1/codes/redeem", in, &out)
}

var _ api.CodeService = (*Client)(nil)

func (s *Server) codeRoutes() {
	m := s.mux
	m.Handle("POST /api/v1/releases/{id}/codes", s.handle(s.codesEnabled(s.createCodes)))
	m.Handle("GET /api/v1/releases/{id}/codes", s.handle(s.codesEnabled(s.codeBatches)))
	m.Handle("DELETE /api/v1/releases/{id}/codes/{batch}", s.handle(s.codesEnabled(s.revokeCodes)))
	m.Handle("POST /api/v1/codes/redeem", s.handle(s.codesEnabled(s.redeemCode)))
}
