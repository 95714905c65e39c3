package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
)

// Page load: 200 clients at once, each asking again as soon as answered.
const (
	pageClients  = 200
	pageRequests = 20_000
)

// benchPages: a release's public page under 200 concurrent clients,
// beside a static file (the pages' stylesheet) served by the same server
// in the same run.
func benchPages(dir string, runs int, rep *Report) error {
	ctx := context.Background()
	pdir := filepath.Join(dir, "pages")
	p, done, err := benchPlatform(ctx, pdir)
	if err != nil {
		return err
	}
	defer done()
	srv := httptest.NewServer(p.Handler)
	defer srv.Close()
	page, err := releasePage(ctx, srv.URL, filepath.Join(pdir, "master.mp3"))
	if err != nil {
		return err
	}
	css, err := stylesheet(srv.URL + page)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: pageClients}}
	rate := Row{Name: "release page, 200 concurrent clients: pages/s", Unit: "/s", Digits: 0,
		Ours:   Measure{Short: "Megabox", Label: "GET /@handle/slug, anonymous"},
		Base:   &Measure{Short: "static", Label: "the pages' stylesheet from the same server"},
		Target: "> 2,000 pages/s",
	}
	p50 := Row{Name: "release page, 200 concurrent clients: p50 latency", Unit: "ms", Digits: 1,
		Ours:   Measure{Short: "Megabox", Label: "GET /@handle/slug"},
		Base:   &Measure{Short: "static", Label: "the stylesheet"},
		Target: "≤ 2× static",
	}
	var p99 [2][]float64
	load := func(path string, i int, lat *Measure) func(int) (float64, error) {
		return func(int) (float64, error) {
			r, l, err := hammer(client, srv.URL+path)
			if err == nil {
				lat.Vals = append(lat.Vals, millis(percentile(l, 50)))
				p99[i] = append(p99[i], millis(percentile(l, 99)))
			}
			return r, err
		}
	}
	if err := interleave(runs,
		contender{m: &rate.Ours, run: load(page, 0, &p50.Ours)},
		contender{m: rate.Base, run: load(css, 1, p50.Base)},
	); err != nil {
		return err
	}
	rate.Met = rate.Ours.median() > 2000
	rate.Note = fmt.Sprintf("%d requests per round by %d goroutines over loopback, keep-alive; the page is a real release of 4 tracks "+
		"with a cover, by an artist with a handle, in English; the stylesheet is the page's own /static/ file.", pageRequests, pageClients)
	p50.Met = p50.ratio(p50.Base) <= 2
	p50.Note = fmt.Sprintf("Per round, the p50 of the %d latencies of the row above; p99 medians: page %.1f ms, static %.1f ms.",
		pageRequests, (&Measure{Vals: p99[0]}).median(), (&Measure{Vals: p99[1]}).median())
	rep.Rows = append(rep.Rows, rate, p50)
	return nil
}

// hammer sends pageRequests GETs from pageClients goroutines and returns
// the rate and every latency.
func hammer(c *http.Client, url string) (float64, []time.Duration, error) {
	var mu sync.Mutex
	var all []time.Duration
	var first error
	next := make(chan struct{}, pageRequests)
	for range pageRequests {
		next <- struct{}{}
	}
	close(next)
	start := time.Now()
	var wg sync.WaitGroup
	for range pageClients {
		wg.Go(func() {
			var mine []time.Duration
			for range next {
				t := time.Now()
				err := get(c, url)
				mine = append(mine, time.Since(t))
				if err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
					return
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return float64(len(all)) / time.Since(start).Seconds(), all, first
}

func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: %d", url, resp.StatusCode)
	}
	return nil
}

// releasePage publishes a release of four tracks by an artist with a
// handle and returns its page's path.
func releasePage(ctx context.Context, url, mp3 string) (string, error) {
	c, err := signedIn(ctx, url, true)
	if err != nil {
		return "", err
	}
	if _, err := c.UpdateProfile(ctx, api.Profile{Handle: "bench-artist", Bio: "Plays the bench."}); err != nil {
		return "", err
	}
	m := api.Manifest{Title: "Page Bench", PriceCents: 999, Currency: "EUR", Description: "Four tracks."}
	for i := range 4 {
		data, err := encodeMP3At(mp3, float64(20+i), 128)
		if err != nil {
			return "", err
		}
		sha := sha256hex(data)
		if _, err := c.UploadFile(ctx, bytes.NewReader(data), &mhttp.Upload{SHA256: sha, Size: int64(len(data)), Filename: "t.mp3"}); err != nil {
			return "", err
		}
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: fmt.Sprintf("Track %d", i+1), AudioSHA256: sha})
	}
	rel, err := c.CreateRelease(ctx, m)
	if err != nil {
		return "", err
	}
	if rel, err = c.PublishRelease(ctx, rel.ID); err != nil {
		return "", err
	}
	return "/@bench-artist/" + rel.Slug, nil
}

var stylesheetRE = regexp.MustCompile(`<link rel="stylesheet" href="(/static/[^"]+)"`)

// stylesheet is the path of a page's own stylesheet.
func stylesheet(pageURL string) (string, error) {
	resp, err := http.Get(pageURL)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	m := stylesheetRE.FindSubmatch(b)
	if resp.StatusCode != 200 || m == nil {
		return "", fmt.Errorf("%s: %d, no stylesheet", pageURL, resp.StatusCode)
	}
	return string(m[1]), nil
}

// benchPlatform opens a platform of its own in pdir, without sign-up
// limits; done closes and removes it.
func benchPlatform(ctx context.Context, pdir string) (*platform.Platform, func(), error) {
	cfg := platform.DefaultConfig
	cfg.SignUpsPerHour = 0
	p, err := platform.Open(ctx, pdir, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		os.RemoveAll(pdir)
		return nil, nil, err
	}
	return p, func() { p.Close(); os.RemoveAll(pdir) }, nil
}
