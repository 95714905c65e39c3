package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"path/filepath"
	"syscall"
	"time"

	"github.com/hajimehoshi/go-mp3"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/library"
	"github.com/megabox-fm/megabox/app/player"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/internal/nullaudio"
)

// nullAudio starts the repository's null sound card unless ALSA is
// already configured, and returns a function that stops it.
func nullAudio(dir string) (func(), error) {
	if os.Getenv("ALSA_CONFIG_PATH") != "" {
		return func() {}, nil
	}
	sound, err := nullaudio.Start(filepath.Join(dir, "audio"))
	if err != nil {
		return nil, err
	}
	os.Setenv("ALSA_CONFIG_PATH", sound.Config)
	return sound.Stop, nil
}

// benchPlay: time from play to the first sample taken by the audio
// device, and the CPU playback costs, each next to go-mp3 doing the bare
// decoding.
func benchPlay(dir string, runs int) ([]Result, error) {
	stop, err := nullAudio(dir)
	if err != nil {
		return nil, err
	}
	defer stop()
	out, err := player.NewOtoOutput(44100)
	if err != nil {
		return nil, err
	}
	track := filepath.Join(dir, "play.mp3")
	if _, err := encodeMP3At(track, 5, 192); err != nil {
		return nil, err
	}
	var first, bare []time.Duration
	var cpu, bareCPU []float64
	for range runs {
		d, pct, err := playOnce(out, track)
		if err != nil {
			return nil, err
		}
		first, cpu = append(first, d), append(cpu, pct)
		d, pct, err = bareDecode(track, 5*time.Second)
		if err != nil {
			return nil, err
		}
		bare, bareCPU = append(bare, d), append(bareCPU, pct)
	}
	f, b := median(first), median(bare)
	c, bc := medianF(cpu), medianF(bareCPU)
	return []Result{{
		Name:     "play() to the first sample taken by the audio device",
		Value:    ms(f),
		Baseline: ms(b) + " open + go-mp3 first frame",
		Ratio:    b.Seconds() / f.Seconds(), Target: "< 100 ms", Pass: f < 100*time.Millisecond,
	}, {
		Name:     "playback CPU, % of one core (5 s of 192 kbit/s MP3, real time)",
		Value:    fmt.Sprintf("%.2f %%", c),
		Baseline: fmt.Sprintf("%.2f %% go-mp3 decoding alone, per second of audio", bc),
		Ratio:    bc / c, Target: "< 3 %", Pass: c < 3,
	}}, nil
}

func playOnce(out player.Output, track string) (time.Duration, float64, error) {
	p := player.New(out, nil, nil)
	defer p.Close()
	cpu0 := cpuTime()
	wall0 := time.Now()
	if err := p.PlayQueue([]player.Item{{Key: "1", Path: track, Title: "Bench", DurationMS: 5000}}, 0); err != nil {
		return 0, 0, err
	}
	for p.BytesOut() == 0 {
		if time.Since(wall0) > 5*time.Second {
			return 0, 0, fmt.Errorf("the device never took a sample")
		}
		time.Sleep(100 * time.Microsecond)
	}
	firstSample := time.Since(wall0)
	for p.Status().State == player.StatePlaying && time.Since(wall0) < 20*time.Second {
		time.Sleep(50 * time.Millisecond)
	}
	pct := (cpuTime() - cpu0).Seconds() / time.Since(wall0).Seconds() * 100
	return firstSample, pct, nil
}

// bareDecode times opening a file and decoding its first frame, and the
// CPU share decoding costs for audio of the given length.
func bareDecode(track string, length time.Duration) (time.Duration, float64, error) {
	start := time.Now()
	b, err := os.ReadFile(track)
	if err != nil {
		return 0, 0, err
	}
	d, err := mp3.NewDecoder(bytes.NewReader(b))
	if err != nil {
		return 0, 0, err
	}
	buf := make([]byte, 4608)
	if _, err := io.ReadFull(d, buf); err != nil {
		return 0, 0, err
	}
	first := time.Since(start)
	cpu0 := cpuTime()
	io.Copy(io.Discard, d)
	return first, (cpuTime() - cpu0).Seconds() / length.Seconds() * 100, nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchLibrary: mirroring a bought 5 × 10 MB album into the library next to
// plain HTTP downloads of the same files written and fsynced.
func benchLibrary(dir string, runs int) ([]Result, error) {
	mp3, err := tenMB(dir)
	if err != nil {
		return nil, err
	}
	e, err := newSyncEnv(filepath.Join(dir, "library"))
	if err != nil {
		return nil, err
	}
	defer e.close()
	defer os.RemoveAll(filepath.Join(dir, "library"))
	size, err := album(filepath.Join(e.music, "Album"), mp3, 5)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	eng := newEngine(e)
	if _, err := eng.SyncOnce(ctx); err != nil {
		return nil, err
	}
	page, err := e.client.MyReleases(ctx, 10, "")
	if err != nil || len(page.Items) != 1 {
		return nil, fmt.Errorf("album not created: %v", err)
	}
	rel, err := e.client.PublishRelease(ctx, page.Items[0].ID)
	if err != nil {
		return nil, err
	}
	fan, err := signedIn(ctx, e.srv.URL, false)
	if err != nil {
		return nil, err
	}
	if _, err := fan.CreatePurchase(ctx, "bench", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: rel.PriceCents, Currency: rel.Currency,
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}); err != nil {
		return nil, err
	}
	var ours, base []time.Duration
	for i := range runs {
		c, err := cache.Open(ctx, filepath.Join(dir, fmt.Sprintf("libcache%d.db", i)))
		if err != nil {
			return nil, err
		}
		lib := library.New(c, filepath.Join(dir, fmt.Sprint("Music", i)), fan)
		syscall.Sync()
		start := time.Now()
		rep, err := lib.Sync(ctx)
		if err != nil || rep.Downloaded != 5 {
			return nil, fmt.Errorf("library sync: %+v %v", rep, err)
		}
		ours = append(ours, time.Since(start))
		c.Close()
		os.RemoveAll(filepath.Join(dir, fmt.Sprint("Music", i)))
		syscall.Sync()
		d, err := rawDownloads(dir, e.srv.URL, fan, rel)
		if err != nil {
			return nil, err
		}
		base = append(base, d)
	}
	o, b := median(ours), median(base)
	return []Result{{
		Name:     "library sync of a bought 5 × 10 MB album (verified, fsync'd, atomic)",
		Value:    mbps(size, o),
		Baseline: mbps(size, b) + " plain GETs → file → fsync",
		Ratio:    b.Seconds() / o.Seconds(), Target: "report", Pass: true,
	}}, nil
}

func rawDownloads(dir, url string, c *mhttp.Client, rel *api.Release) (time.Duration, error) {
	start := time.Now()
	for _, t := range rel.Tracks {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/tracks/%d/audio", url, t.ID), nil)
		req.Header.Set("Authorization", "Bearer "+c.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		f, err := os.CreateTemp(dir, "raw-*")
		if err != nil {
			return 0, err
		}
		io.Copy(f, resp.Body)
		resp.Body.Close()
		f.Sync()
		f.Close()
		os.Remove(f.Name())
	}
	return time.Since(start), nil
}
