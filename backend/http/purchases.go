package http

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

func (s *Server) createPurchase(w http.ResponseWriter, r *http.Request) error {
	if _, err := api.RequireCaller(r.Context()); err != nil {
		return err
	}
	var in api.PurchaseCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.Purchases.CreatePurchase(r.Context(), r.Header.Get("Idempotency-Key"), in)
	s.metrics.purchased(err)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/purchases/"+itoa(p.ID))
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := api.RequireCaller(r.Context()); err != nil {
		return err
	}
	var in struct {
		AmountCents int64 `json:"amount_cents"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ref, err := s.svc.Purchases.RefundPurchase(r.Context(), id, in.AmountCents)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ref)
	return nil
}

func (s *Server) library(w http.ResponseWriter, r *http.Request) error {
	lib, err := s.svc.Purchases.Library(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, lib)
	return nil
}

func (s *Server) receiptKeys(w http.ResponseWriter, r *http.Request) error {
	set, err := s.svc.ReceiptKeys.ReceiptKeySet(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, http.StatusOK, set)
	return nil
}

func (s *Server) follow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if r.Method == http.MethodDelete {
		err = s.svc.Earnings.Unfollow(r.Context(), id)
	} else {
		err = s.svc.Earnings.Follow(r.Context(), id)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// earningsFilter reads from, to (RFC 3339 or YYYY-MM-DD, UTC), group and
// currency.
func earningsFilter(r *http.Request) (api.EarningsFilter, error) {
	q := r.URL.Query()
	f := api.EarningsFilter{Group: q.Get("group"), Currency: q.Get("currency")}
	var err error
	if f.From, err = queryTime(q.Get("from"), "from"); err != nil {
		return f, err
	}
	f.To, err = queryTime(q.Get("to"), "to")
	return f, err
}

func queryTime(s, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, api.FieldErrorf(field, "use YYYY-MM-DD or an RFC 3339 time")
}

func (s *Server) earnings(w http.ResponseWriter, r *http.Request) error {
	f, err := earningsFilter(r)
	if err != nil {
		return err
	}
	e, err := s.svc.Earnings.Earnings(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) earningsCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := earningsFilter(r)
	if err != nil {
		return err
	}
	lines, err := s.svc.Earnings.Statement(r.Context(), f)
	if err != nil {
		return err
	}
	cw := startCSV(w, "megabox-earnings.csv")
	cw.Write([]string{"date", "type", "id", "release_id", "release", "track", "fan", "gross", "platform_fee", "creator_share", "currency"})
	for _, l := range lines {
		rel := ""
		if l.ReleaseID != 0 {
			rel = itoa(l.ReleaseID)
		}
		cw.Write([]string{l.Date.Format(time.RFC3339), l.Type, l.ID, rel, cell(l.Release), cell(l.Track), cell(l.Fan),
			decimal(l.GrossCents), decimal(l.PlatformCents), decimal(l.CreatorCents), l.Currency})
	}
	cw.Flush()
	return cw.Error()
}

func (s *Server) fans(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.Earnings.Fans(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) fansCSV(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.Earnings.Fans(r.Context())
	if err != nil {
		return err
	}
	cw := startCSV(w, "megabox-fans.csv")
	cw.Write([]string{"account_id", "name", "email", "total", "currency", "purchases", "first_purchase", "last_purchase", "follower"})
	for _, f := range list.Items {
		cw.Write([]string{itoa(f.AccountID), cell(f.DisplayName), cell(f.Email), decimal(f.TotalCents), f.Currency, itoa(f.Purchases),
			timeCell(f.FirstPurchaseAt), timeCell(f.LastPurchaseAt), fmt.Sprint(f.Follower)})
	}
	cw.Flush()
	return cw.Error()
}

func (s *Server) requestPayout(w http.ResponseWriter, r *http.Request) error {
	if _, err := api.RequireCreator(r.Context()); err != nil {
		return err
	}
	var in struct {
		AmountCents int64  `json:"amount_cents"`
		Currency    string `json:"currency"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.Earnings.RequestPayout(r.Context(), in.AmountCents, in.Currency)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) payouts(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.Earnings.Payouts(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list, "next_cursor": ""})
	return nil
}

func startCSV(w http.ResponseWriter, name string) *csv.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	return csv.NewWriter(w)
}

// cell defuses text a spreadsheet would run as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func decimal(cents int64) string {
	s := api.FormatCents(cents, "")
	return strings.TrimSpace(s)
}

func timeCell(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339)
}
