package http

import (
	"context"
	"errors"
	"net/http"
	"sort"
	gosync "sync"
	"time"
)

// Health endpoints for load balancers and orchestrators. Neither needs a
// session; both answer only to the server's host names like every other
// route, so a proxy's probe must send one of them as Host (see
// docs/deploy.md).
//
//	GET /healthz  liveness: 200 while the process serves requests
//	GET /readyz   readiness: 200 when every check passes, else 503 naming
//	              the failing checks; each check gets ReadyCheckTimeout

// ReadyCheckTimeout bounds each readiness check: a dependency slower than
// this is as good as down for the requests that would need it.
const ReadyCheckTimeout = 2 * time.Second

// Readiness is /readyz's answer.
type Readiness struct {
	Status string            `json:"status"` // "ready" or "unavailable"
	Checks map[string]string `json:"checks"` // name → "ok", "failed" or "timeout"
	// Failing names the checks that did not pass, sorted.
	Failing []string `json:"failing,omitempty"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz runs every check at once and answers when all have. A failing
// check's error goes to the log only: the endpoint is public, and errors
// can name hosts and paths.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	res := s.ready(r.Context())
	status := http.StatusOK
	if len(res.Failing) > 0 {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, res)
}

func (s *Server) ready(ctx context.Context) Readiness {
	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(s.svc.Checks))
	var wg gosync.WaitGroup
	for name, check := range s.svc.Checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, ReadyCheckTimeout)
			defer cancel()
			results <- result{name, check(cctx)}
		})
	}
	wg.Wait()
	close(results)
	res := Readiness{Status: "ready", Checks: map[string]string{}}
	for r := range results {
		verdict := "ok"
		if r.err != nil {
			verdict = "failed"
			if errors.Is(r.err, context.DeadlineExceeded) {
				verdict = "timeout"
			}
			res.Failing = append(res.Failing, r.name)
			s.log.ErrorContext(ctx, "readiness check failed", "check", r.name, "err", r.err)
		}
		res.Checks[r.name] = verdict
	}
	if len(res.Failing) > 0 {
		res.Status = "unavailable"
		sort.Strings(res.Failing)
	}
	return res
}
