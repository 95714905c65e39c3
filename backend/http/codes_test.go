package http_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/store"
)

// quickFans makes n fans with a session each, straight in the store: the
// test is about codes, not the 400 password hashes sign-ups would cost.
func (e *env) quickFans(n int) []string {
	e.t.Helper()
	ctx := context.Background()
	tokens := make([]string, n)
	err := e.p.Store.WithTx(ctx, func(tx store.Tx) error {
		now := time.Now()
		for i := range n {
			id, err := tx.InsertAccount(ctx, &api.Account{Email: fmt.Sprintf("quick%d-%d@example.com", e.n.Add(1), i),
				DisplayName: fmt.Sprint("fan ", i), CreatedAt: now}, "unused")
			if err != nil {
				return err
			}
			if tokens[i], err = auth.NewToken(); err != nil {
				return err
			}
			if _, err := tx.InsertSession(ctx, auth.HashToken(tokens[i]), id, now, now.Add(24*time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return tokens
}

// problem is an error answer's status, code and words.
type problem struct {
	status       int
	code, detail string
}

func redeemFrom(hc *http.Client, url, token, code string) problem {
	req, _ := http.NewRequest("POST", url+"/api/v1/codes/redeem", strings.NewReader(`{"code":"`+code+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return problem{detail: err.Error()}
	}
	defer resp.Body.Close()
	var p struct{ Code, Detail string }
	_ = json.NewDecoder(resp.Body).Decode(&p)
	return problem{resp.StatusCode, p.Code, p.Detail}
}

// TestCodesRedeemedOnceOverHTTP: 200 fans redeem 100 free codes through a
// real server at once, each code tried twice from eight addresses:
// exactly 100 sales, 100 refusals as used, and a balanced ledger.
func TestCodesRedeemedOnceOverHTTP(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("ann", true)
	rel := e.published(ann, "Tides", 1, nil)
	batch, err := ann.CreateCodes(ctx, rel.ID, api.CodeBatchCreate{Count: 100, Kind: api.CodeFree})
	if err != nil || len(batch.Codes) != 100 {
		t.Fatalf("codes = %+v, %v", batch, err)
	}
	tokens := e.quickFans(200)
	clients := make([]*http.Client, 8)
	for i := range clients {
		clients[i] = from(t, fmt.Sprintf("127.0.0.%d", 10+i))
	}
	got := make([]problem, 200)
	start := make(chan struct{})
	done := make(chan int)
	for i := range got {
		go func() {
			<-start
			got[i] = redeemFrom(clients[i%8], e.srv.URL, tokens[i], batch.Codes[i/2])
			done <- i
		}()
	}
	close(start)
	for range got {
		<-done
	}
	created, used := 0, 0
	for i, p := range got {
		switch {
		case p.status == http.StatusCreated:
			created++
		case p.status == http.StatusConflict && p.code == api.ECODEUSED && p.detail == "this code has already been used":
			used++
		default:
			t.Fatalf("fan %d: %+v", i, p)
		}
	}
	if created != 100 || used != 100 {
		t.Fatalf("redeemed %d, refused %d; want 100 and 100", created, used)
	}
	owners := 0
	for i := range tokens {
		c, err := e.p.Accounts.Authenticate(ctx, tokens[i])
		if err != nil {
			t.Fatal(err)
		}
		lib, err := e.p.Store.Library(ctx, c.Account.ID)
		if err != nil {
			t.Fatal(err)
		}
		owners += len(lib)
	}
	if owners != 100 {
		t.Fatalf("%d purchases, want 100", owners)
	}
	sums, unbalanced, err := e.p.Store.LedgerCheck(ctx)
	if err != nil || unbalanced != 0 || sums["EUR"] != 0 {
		t.Fatalf("ledger = %v, %d unbalanced, %v", sums, unbalanced, err)
	}
	bs, err := ann.CodeBatches(ctx, rel.ID)
	if err != nil || len(bs) != 1 || bs[0].Redeemed != 100 || bs[0].Count != 100 {
		t.Fatalf("batches = %+v, %v", bs, err)
	}
}

// TestCodeRefusalsOverHTTP: an unknown and an expired code are refused
// with their own status, code and words.
func TestCodeRefusalsOverHTTP(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("ann", true)
	rel := e.published(ann, "Tides", 1, nil)
	soon := time.Now().Add(time.Hour)
	batch, err := ann.CreateCodes(ctx, rel.ID, api.CodeBatchCreate{Count: 1, Kind: api.CodePercent, PercentOff: 50, ExpiresAt: &soon})
	if err != nil {
		t.Fatal(err)
	}
	fan := e.quickFans(1)[0]
	hc := from(t, "127.0.0.20")
	if p := redeemFrom(hc, e.srv.URL, fan, "ZZZZ-ZZZZ-ZZ"); p != (problem{404, api.ENOTFOUND, "this code does not exist: check it and try again"}) {
		t.Fatalf("unknown code: %+v", p)
	}
	e.p.SetClock(func() time.Time { return soon })
	want := problem{410, api.ECODEEXPIRED, "this code expired on " + soon.UTC().Truncate(time.Millisecond).Format("2 January 2006 at 15:04 UTC")}
	if p := redeemFrom(hc, e.srv.URL, fan, batch.Codes[0]); p != want {
		t.Fatalf("expired code: %+v, want %+v", p, want)
	}
	// Through the Go client, the code and words arrive as they left.
	c := e.client()
	c.SetToken(fan)
	_, err = c.RedeemCode(ctx, api.CodeRedeem{Code: batch.Codes[0]})
	if api.ErrorCode(err) != api.ECODEEXPIRED || api.ErrorMessage(err) != want.detail {
		t.Fatalf("client: %v", err)
	}
}

// TestCodeGuessesThrottled: a fan who misses ten codes is refused for a
// while, even a good code; another fan from another address is not.
func TestCodeGuessesThrottled(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("ann", true)
	rel := e.published(ann, "Tides", 1, nil)
	batch, err := ann.CreateCodes(ctx, rel.ID, api.CodeBatchCreate{Count: 2, Kind: api.CodeFree})
	if err != nil {
		t.Fatal(err)
	}
	fans := e.quickFans(2)
	hc := from(t, "127.0.0.30")
	for i := range 10 {
		if p := redeemFrom(hc, e.srv.URL, fans[0], "ZZZZ-ZZZZ-Z"+string(api.CodeAlphabet[i])); p.status != 404 {
			t.Fatalf("guess %d: %+v", i, p)
		}
	}
	if p := redeemFrom(hc, e.srv.URL, fans[0], batch.Codes[0]); p.status != 429 || p.code != api.ERATELIMIT {
		t.Fatalf("eleventh attempt: %+v", p)
	}
	// A checkout naming a code is an attempt too.
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/checkouts", strings.NewReader(
		fmt.Sprintf(`{"release_id":%d,"amount_cents":0,"currency":"EUR","code":%q}`, rel.ID, batch.Codes[0])))
	req.Header.Set("Authorization", "Bearer "+fans[0])
	req.Header.Set("Idempotency-Key", "k1")
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Fatalf("checkout with a code while throttled: %d", resp.StatusCode)
	}
	if p := redeemFrom(from(t, "127.0.0.31"), e.srv.URL, fans[1], batch.Codes[0]); p.status != 201 {
		t.Fatalf("another fan: %+v", p)
	}
}

// TestCodesCSV: asked for CSV, a new batch comes as a file of its codes,
// one a line, and nowhere else afterwards.
func TestCodesCSV(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("ann", true)
	rel := e.published(ann, "Tides", 1, nil)
	status, body, hdr := e.raw("POST", fmt.Sprintf("/api/v1/releases/%d/codes?format=csv", rel.ID), ann.Token(),
		strings.NewReader(`{"count":25,"kind":"fixed","off_cents":300,"label":"=tour"}`))
	if status != 201 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, headers %v: %s", status, hdr, body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(rows) != 26 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	if strings.Join(rows[0], ",") != "code,release_id,batch_id,kind,discount,expires_at,label" {
		t.Fatalf("header = %v", rows[0])
	}
	r := rows[1]
	if _, ok := api.NormalizeCode(r[0]); !ok || r[1] != fmt.Sprint(rel.ID) || r[3] != "fixed" || r[4] != "300" || r[6] != "'=tour" {
		t.Fatalf("row = %v", r)
	}
	status, body, _ = e.raw("GET", fmt.Sprintf("/api/v1/releases/%d/codes", rel.ID), ann.Token(), nil)
	if status != 200 || strings.Contains(string(body), r[0]) || !strings.Contains(string(body), `"count":25`) {
		t.Fatalf("list: %d %s", status, body)
	}
	fan, _ := e.signUp("fan", false)
	status, _, _ = e.raw("GET", fmt.Sprintf("/api/v1/releases/%d/codes", rel.ID), fan.Token(), nil)
	if status != 404 {
		t.Fatalf("someone else's release: %d", status)
	}
	var _ api.CodeService = (*mhttp.Client)(nil)
}
