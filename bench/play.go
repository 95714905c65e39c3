package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	gosync "sync"
	"syscall"
	"time"

	"github.com/hajimehoshi/go-mp3"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/library"
	"github.com/megabox-fm/megabox/app/player"
	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/internal/nullaudio"
)

// nullAudio starts the repository's null sound card unless ALSA is
// already configured, and returns a function that stops it. The bench
// plays straight into the card's PulseAudio sink: the card's usual ALSA
// configuration also copies everything played into a file for the tests
// to compare, and those writes are no part of playback, for Megabox or
// for mpg123.
func nullAudio(dir string) (func(), error) {
	if os.Getenv("ALSA_CONFIG_PATH") != "" {
		return func() {}, nil
	}
	sound, err := nullaudio.Start(filepath.Join(dir, "audio"))
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(sound.Dir, "asound-bench.conf")
	pcm := fmt.Sprintf("pcm.!default { type pulse; server \"unix:%s\" }\n", filepath.Join(sound.Dir, "native"))
	if err := os.WriteFile(conf, []byte(pcm), 0o644); err != nil {
		sound.Stop()
		return nil, err
	}
	os.Setenv("ALSA_CONFIG_PATH", conf)
	return sound.Stop, nil
}

const playSeconds = 8

// benchPlay: time from play to the first sample taken by the audio device,
// and what playback costs in CPU, next to go-mp3 decoding alone and to
// mpg123 playing the same file through the same sound card.
func benchPlay(dir string, runs int, rep *Report) error {
	stop, err := nullAudio(dir)
	if err != nil {
		return err
	}
	defer stop()
	out, err := player.NewOtoOutput(44100)
	if err != nil {
		return err
	}
	track := filepath.Join(dir, "play.mp3")
	if _, err := encodeMP3At(track, playSeconds, 320); err != nil {
		return err
	}
	audio := playSeconds * time.Second
	first := Row{Name: "play() to the first PCM pulled by the audio output", Unit: "ms", Digits: 2,
		Ours:   Measure{Short: "Megabox"},
		Base:   &Measure{Short: "decode", Label: "read the file + go-mp3's first frame"},
		Target: "< 100 ms",
		Note:   "Player.PlayQueue until the audio output (oto) has pulled the first PCM from the player (Player.BytesOut > 0), through the null sound card (ALSA → PulseAudio null sink).",
	}
	cpu := Row{Name: fmt.Sprintf("playback CPU per second of audio (%d s of 320 kbit/s MP3, real time)", playSeconds), Unit: "%", Digits: 2,
		Ours:   Measure{Short: "Megabox", Label: "of one core"},
		Base:   &Measure{Short: "go-mp3", Label: "go-mp3's decode alone"},
		Peers:  []*Measure{{Short: "mpg123", Label: "`mpg123 -q -o alsa`, same sound card"}},
		Target: "≤ 1.5× go-mp3",
		Note: "CPU time (user + system) per second of audio. Megabox: the bench process while the real player plays the file to the end through the null sound card " +
			"(oto → ALSA → PulseAudio null sink, without the tests' capture file); nothing else runs in the process; the end is learnt from the player's status events, not by polling. go-mp3: decoding the whole file from memory to io.Discard. " +
			"mpg123: Debian's mpg123 playing the same file in real time through the same ALSA device (its own process's CPU time).",
	}
	var decodeFirst []float64
	err = interleave(runs,
		contender{m: &cpu.Ours, run: func(int) (float64, error) {
			d, c, err := playOnce(out, track)
			if err != nil {
				return 0, err
			}
			first.Ours.Vals = append(first.Ours.Vals, millis(d))
			return c.Seconds() / audio.Seconds() * 100, nil
		}},
		contender{m: cpu.Base, run: func(int) (float64, error) {
			d, c, err := bareDecode(track)
			if err != nil {
				return 0, err
			}
			decodeFirst = append(decodeFirst, millis(d))
			return c.Seconds() / audio.Seconds() * 100, nil
		}},
		contender{m: cpu.Peers[0], optional: true, run: func(int) (float64, error) {
			c, err := mpg123Play(track)
			return c.Seconds() / audio.Seconds() * 100, err
		}},
	)
	if err != nil {
		return err
	}
	first.Base.Vals = decodeFirst
	first.Met = first.Ours.median() < 100
	cpu.Met = cpu.ratio(cpu.Base) <= 1.5
	rep.Rows = append(rep.Rows, first, cpu)
	return nil
}

// playOnce plays track to the end and returns the time to the first
// sample and the CPU time the process spent. It learns of the end from
// the player's status events, as the app does, rather than by polling,
// whose wakeups would be counted as the player's.
func playOnce(out player.Output, track string) (time.Duration, time.Duration, error) {
	ended := &endWatch{stopped: make(chan struct{})}
	p := player.New(out, ended, nil)
	cpu0 := cpuTime()
	wall0 := time.Now()
	if err := p.PlayQueue([]player.Item{{Key: "1", Path: track, Title: "Bench", DurationMS: playSeconds * 1000}}, 0); err != nil {
		p.Close()
		return 0, 0, err
	}
	for p.BytesOut() == 0 {
		if time.Since(wall0) > 5*time.Second {
			p.Close()
			return 0, 0, fmt.Errorf("the device never took a sample")
		}
		time.Sleep(100 * time.Microsecond)
	}
	firstSample := time.Since(wall0)
	select {
	case <-ended.stopped:
	case <-time.After(4 * playSeconds * time.Second):
		p.Close()
		return 0, 0, fmt.Errorf("playback did not end")
	}
	p.Close()
	return firstSample, cpuTime() - cpu0, nil
}

// endWatch is the bench's player events: it notes when playback stops.
type endWatch struct {
	once    gosync.Once
	stopped chan struct{}
}

func (e *endWatch) Emit(event string, payload any) {
	if s, ok := payload.(player.Status); ok && event == player.EventStatus && s.State != player.StatePlaying {
		e.once.Do(func() { close(e.stopped) })
	}
}

// bareDecode times reading a file and decoding its first frame, and
// returns the CPU time decoding all of it takes.
func bareDecode(track string) (time.Duration, time.Duration, error) {
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
	d, err = mp3.NewDecoder(bytes.NewReader(b))
	if err != nil {
		return 0, 0, err
	}
	cpu0 := cpuTime()
	io.Copy(io.Discard, d)
	return first, cpuTime() - cpu0, nil
}

// mpg123Play plays track with mpg123 through the ALSA device the player
// uses and returns the CPU time mpg123 spent.
func mpg123Play(track string) (time.Duration, error) {
	if _, err := exec.LookPath("mpg123"); err != nil {
		return 0, fmt.Errorf("mpg123 is not installed (scripts/bench-deps.sh)")
	}
	cmd := exec.Command("mpg123", "-q", "-o", "alsa", track)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("mpg123: %v: %s", err, out)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchLibrary: mirroring a bought 5 × 10 MB album into the library next to
// plain HTTP downloads of the same files written and fsynced.
func benchLibrary(dir string, runs int, rep *Report) error {
	mp3, err := tenMB(dir)
	if err != nil {
		return err
	}
	e, err := newSyncEnv(filepath.Join(dir, "library"))
	if err != nil {
		return err
	}
	defer e.close()
	defer os.RemoveAll(filepath.Join(dir, "library"))
	size, err := makeTree(e.music, mp3, 5, 5)
	if err != nil {
		return err
	}
	ctx := context.Background()
	eng := sync.New(e.cache, e.client, nil, sync.Options{})
	if _, err := eng.SyncOnce(ctx); err != nil {
		return err
	}
	page, err := e.client.MyReleases(ctx, 10, "")
	if err != nil || len(page.Items) != 1 {
		return fmt.Errorf("album not created: %v", err)
	}
	rel, err := e.client.PublishRelease(ctx, page.Items[0].ID)
	if err != nil {
		return err
	}
	fan, err := signedIn(ctx, e.srv.URL, false)
	if err != nil {
		return err
	}
	if _, err := fan.CreatePurchase(ctx, "bench", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: rel.PriceCents, Currency: rel.Currency,
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}); err != nil {
		return err
	}
	mb := func(d time.Duration) float64 { return float64(size) / 1e6 / d.Seconds() }
	row := Row{Name: "library sync of a bought 5 × 10 MB album (verified, fsync'd, atomic)", Unit: "MB/s", Digits: 0,
		Ours:   Measure{Short: "Megabox"},
		Base:   &Measure{Short: "GETs", Label: "plain GETs → file → fsync"},
		Target: "report",
		Met:    true,
		Note:   "A fan's library mirroring a bought album from an in-process platform over loopback (fresh cache and folder each round), against plain authenticated GETs of the same tracks written and fsync'd.",
	}
	err = interleave(runs,
		contender{m: &row.Ours, run: func(i int) (float64, error) {
			c, err := cache.Open(ctx, filepath.Join(dir, fmt.Sprintf("libcache%d.db", i)))
			if err != nil {
				return 0, err
			}
			defer c.Close()
			music := filepath.Join(dir, fmt.Sprint("Music", i))
			defer os.RemoveAll(music)
			lib := library.New(c, music, fan)
			syscall.Sync()
			start := time.Now()
			r, err := lib.Sync(ctx)
			if err != nil || r.Downloaded != 5 {
				return 0, fmt.Errorf("library sync: %+v %v", r, err)
			}
			return mb(time.Since(start)), nil
		}},
		contender{m: row.Base, run: func(int) (float64, error) {
			syscall.Sync()
			d, err := rawDownloads(dir, e.srv.URL, fan, rel)
			return mb(d), err
		}},
	)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, row)
	return nil
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
		_, err = io.Copy(f, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			f.Close()
			os.Remove(f.Name())
			return 0, fmt.Errorf("GET track %d: %v %s", t.ID, err, resp.Status)
		}
		f.Sync()
		f.Close()
		os.Remove(f.Name())
	}
	return time.Since(start), nil
}
