package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// losslessSeconds is the length of the track the FLAC speed rows use.
const losslessSeconds = 180

// synthMusic writes music-like audio made by sox (plucked chords with
// reverb over quiet pink noise: it compresses as recordings do).
func synthMusic(path string, s testmedia.Sound) error {
	if out, err := exec.Command("sox", testmedia.MusicArgs(path, s)...).CombinedOutput(); err != nil {
		return fmt.Errorf("sox: %v: %s", err, out)
	}
	return nil
}

// flacCLI encodes src to dst with Debian's flac (its default level
// unless extra says otherwise) and returns the CPU time it took.
func flacCLI(src, dst string, extra ...string) (time.Duration, error) {
	args := append([]string{"--silent", "-f", "-o", dst}, extra...)
	cmd := exec.Command("flac", append(args, src)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("flac: %v: %s", err, out)
	}
	return childCPU(cmd), nil
}

// childCPU is the CPU time a finished command took.
func childCPU(cmd *exec.Cmd) time.Duration {
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// The FLAC rows time CPU (user + system), not the wall clock: on a
// shared machine a process waits for a core for longer than it works,
// and in-process work and a child process wait differently.
const cpuNote = " Times are CPU time (user + system: the process's own for Megabox, the child's for flac), so other load on the machine does not count."

// benchFLACDecode: how fast a FLAC master is decoded and checked against
// its MD5 (what the sync engine does to each new FLAC), in multiples of
// real time, beside `flac -d` decoding the same file to a pipe.
func benchFLACDecode(dir string, runs int, rep *Report) error {
	work := filepath.Join(dir, "flacdecode")
	defer os.RemoveAll(work)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	wav, fl := filepath.Join(work, "m.wav"), filepath.Join(work, "m.flac")
	if err := synthMusic(wav, testmedia.Sound{Seconds: losslessSeconds, Root: "G2"}); err != nil {
		return err
	}
	if _, err := flacCLI(wav, fl); err != nil {
		return err
	}
	speed := func(d time.Duration) float64 { return losslessSeconds / d.Seconds() }
	row := Row{Name: "FLAC master decode + MD5 check, 16-bit 44.1 kHz stereo", Unit: "× realtime", Digits: 0,
		Ours:   Measure{Short: "Megabox", Label: "media.CheckFLAC (mewkiz/flac)"},
		Base:   &Measure{Short: "flac -d", Label: "Debian's flac 1.4 decoding to a pipe"},
		Target: "≥ 50× realtime (a 4-minute track checked in under 5 s)",
	}
	err := interleave(runs,
		contender{m: &row.Ours, run: func(int) (float64, error) {
			f, err := os.Open(fl)
			if err != nil {
				return 0, err
			}
			defer f.Close()
			cpu0 := cpuTime()
			a, err := media.CheckFLAC(bufio.NewReaderSize(f, 1<<20))
			if err != nil {
				return 0, err
			}
			took := cpuTime() - cpu0
			if a.DurationMS != losslessSeconds*1000 {
				return 0, fmt.Errorf("decoded %d ms", a.DurationMS)
			}
			return speed(took), nil
		}},
		contender{m: row.Base, run: func(int) (float64, error) {
			cmd := exec.Command("flac", "-d", "-c", "-s", fl)
			cmd.Stdout = io.Discard
			if err := cmd.Run(); err != nil {
				return 0, err
			}
			return speed(childCPU(cmd)), nil
		}},
	)
	if err != nil {
		return err
	}
	row.Met = row.Ours.median() >= 50
	row.Note = fmt.Sprintf("A %d s track of sox-made music (plucked chords, reverb, pink noise; normalised to −1 dBFS) encoded by `flac` at its default level, "+
		"read from the page cache. Megabox: one pass decoding every frame, the MD5 of the samples compared with STREAMINFO's, and the clipping and silence scan; "+
		"one goroutine. flac -d: `flac -d -c -s` into a pipe that is drained (it checks the MD5 too)."+cpuNote, losslessSeconds)
	rep.Rows = append(rep.Rows, row)
	return nil
}

// benchFLACEncode: how fast the desktop encodes a WAV master to FLAC, in
// multiples of real time, beside Debian's flac on the same file.
func benchFLACEncode(dir string, runs int, rep *Report) error {
	work := filepath.Join(dir, "flacencode")
	defer os.RemoveAll(work)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	wav := filepath.Join(work, "m.wav")
	if err := synthMusic(wav, testmedia.Sound{Seconds: losslessSeconds, Root: "D2"}); err != nil {
		return err
	}
	speed := func(d time.Duration) float64 { return losslessSeconds / d.Seconds() }
	var oursSize, cliSize, verify int64
	var verifyTook []float64
	row := Row{Name: "WAV master → FLAC on the desktop, 16-bit 44.1 kHz stereo", Unit: "× realtime", Digits: 0,
		Ours:   Measure{Short: "Megabox", Label: "media.EncodeFLAC (mewkiz/flac encoder)"},
		Base:   &Measure{Short: "flac", Label: "Debian's flac 1.4, default level (-5)"},
		Peers:  []*Measure{{Short: "flac -0", Label: "Debian's flac 1.4, fastest level"}},
		Target: "≥ 20× realtime (a 4-minute track in under 12 s)",
	}
	err := interleave(runs,
		contender{m: &row.Ours, run: func(int) (float64, error) {
			dst := filepath.Join(work, "ours.flac")
			cpu0 := cpuTime()
			in, err := encodeFile(wav, dst)
			took := cpuTime() - cpu0
			if err != nil {
				return 0, err
			}
			// The desktop then decodes the encode to prove it bit-exact.
			vstart := cpuTime()
			f, err := os.Open(dst)
			if err != nil {
				return 0, err
			}
			out, err := media.CheckFLAC(bufio.NewReaderSize(f, 1<<20))
			f.Close()
			if err != nil || out.MD5 != in.MD5 {
				return 0, fmt.Errorf("the encode is not bit-exact: %v", err)
			}
			verifyTook = append(verifyTook, (cpuTime() - vstart).Seconds())
			fi, _ := os.Stat(dst)
			oursSize = fi.Size()
			verify++
			return speed(took), nil
		}},
		contender{m: row.Base, run: func(int) (float64, error) {
			dst := filepath.Join(work, "cli.flac")
			took, err := flacCLI(wav, dst)
			if err != nil {
				return 0, err
			}
			fi, _ := os.Stat(dst)
			cliSize = fi.Size()
			return speed(took), nil
		}},
		contender{m: row.Peers[0], run: func(int) (float64, error) {
			took, err := flacCLI(wav, filepath.Join(work, "cli0.flac"), "-0")
			if err != nil {
				return 0, err
			}
			return speed(took), nil
		}},
	)
	if err != nil {
		return err
	}
	fi, err := os.Stat(wav)
	if err != nil {
		return err
	}
	row.Met = row.Ours.median() >= 20
	row.Note = fmt.Sprintf("A %d s track of sox-made music (%.1f MB WAV) read from the page cache and written to a FLAC file. Megabox: OpenWAV → EncodeFLAC, "+
		"4096-sample blocks, the encoder's fixed predictors, stereo decorrelation chosen per block; one goroutine. Its FLAC is %.1f MB (%.0f%% of the WAV), "+
		"flac -5's %.1f MB (%.0f%%). Decoding the encode back to prove it bit-exact, as the desktop does before uploading, adds %.2f s of CPU (median) — not in the figure."+cpuNote,
		losslessSeconds, float64(fi.Size())/1e6, float64(oursSize)/1e6, 100*float64(oursSize)/float64(fi.Size()),
		float64(cliSize)/1e6, 100*float64(cliSize)/float64(fi.Size()), (&Measure{Vals: verifyTook}).median())
	rep.Rows = append(rep.Rows, row)
	return nil
}

// encodeFile encodes a WAV file to a FLAC file with the desktop's encoder.
func encodeFile(wav, dst string) (media.Analysis, error) {
	src, err := os.Open(wav)
	if err != nil {
		return media.Analysis{}, err
	}
	defer src.Close()
	pcm, err := media.OpenWAV(src)
	if err != nil {
		return media.Analysis{}, err
	}
	out, err := os.Create(dst)
	if err != nil {
		return media.Analysis{}, err
	}
	a, err := media.EncodeFLAC(out, pcm)
	return a, errors.Join(err, out.Close())
}

// benchFLACSaving: the upload bytes a WAV album saves by being encoded to
// FLAC on the desktop, measured through the sync engine and a real
// megaboxd, beside what Debian's flac would save on the same album.
func benchFLACSaving(dir string, runs int, rep *Report) error {
	ctx := context.Background()
	work := filepath.Join(dir, "flacsaving")
	defer os.RemoveAll(work)
	album := filepath.Join(work, "music", "Album")
	if err := os.MkdirAll(album, 0o755); err != nil {
		return err
	}
	roots := []string{"G2", "E2", "C2", "A2", "D2", "F2", "B2", "G2"}
	var wavBytes, cliBytes int64
	var secs float64
	for i, root := range roots {
		s := testmedia.Sound{Seconds: float64(30 + 7*i), Root: root}
		secs += s.Seconds
		p := filepath.Join(album, fmt.Sprintf("%02d Track %d.wav", i+1, i+1))
		if err := synthMusic(p, s); err != nil {
			return err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		wavBytes += fi.Size()
		cli := filepath.Join(work, fmt.Sprintf("%d.flac", i))
		if _, err := flacCLI(p, cli); err != nil {
			return err
		}
		fi, _ = os.Stat(cli)
		cliBytes += fi.Size()
	}
	row := Row{Name: "upload bytes saved by FLAC for a WAV album", Unit: "%", Digits: 0,
		Ours:   Measure{Short: "Megabox", Label: "the sync engine's upload, WAVs encoded to FLAC first"},
		Base:   &Measure{Short: "flac", Label: "Debian's flac -5 on the same WAVs"},
		Target: "≥ 30 % smaller than the WAVs",
	}
	var took []float64
	err := interleave(runs,
		contender{m: &row.Ours, run: func(int) (float64, error) {
			sent, d, err := syncWAVAlbum(ctx, work)
			if err != nil {
				return 0, err
			}
			took = append(took, d.Seconds())
			return 100 * (1 - float64(sent)/float64(wavBytes)), nil
		}},
		contender{m: row.Base, run: func(int) (float64, error) {
			return 100 * (1 - float64(cliBytes)/float64(wavBytes)), nil
		}},
	)
	if err != nil {
		return err
	}
	row.Met = row.Ours.median() >= 30
	row.Note = fmt.Sprintf("An album of %d WAV tracks, %.0f s of sox-made music in all (plucked chords in a different key per track, reverb, pink noise; 16-bit 44.1 kHz stereo, %.1f MB). "+
		"Megabox: a first sync of the folder by the sync engine with a fresh cache to a fresh megaboxd on loopback; the figure is 1 − bytes sent ÷ WAV bytes "+
		"(the bytes sent include tus overhead). That sync, encoding and verifying every track, took %.1f s of wall-clock time (median, on a shared machine). flac: 1 − the FLACs' size ÷ the WAVs'.",
		len(roots), secs, float64(wavBytes)/1e6, (&Measure{Vals: took}).median())
	rep.Rows = append(rep.Rows, row)
	return nil
}

// syncWAVAlbum syncs work/music with a fresh cache to a fresh platform
// and returns the bytes the engine sent.
func syncWAVAlbum(ctx context.Context, work string) (int64, time.Duration, error) {
	pdir := filepath.Join(work, "platform")
	p, done, err := benchPlatform(ctx, pdir)
	if err != nil {
		return 0, 0, err
	}
	defer done()
	srv := httptest.NewServer(p.Handler)
	defer srv.Close()
	client, err := signedIn(ctx, srv.URL, true)
	if err != nil {
		return 0, 0, err
	}
	cdir := filepath.Join(work, "cache")
	defer os.RemoveAll(cdir)
	c, err := cache.Open(ctx, filepath.Join(cdir, "cache.db"))
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	if _, err := c.AddRoot(ctx, filepath.Join(work, "music")); err != nil {
		return 0, 0, err
	}
	eng := sync.New(c, client, nil, sync.Options{Settle: time.Nanosecond})
	start := time.Now()
	rep, err := eng.SyncOnce(ctx)
	if err != nil {
		return 0, 0, err
	}
	if rep.Failed() {
		return 0, 0, fmt.Errorf("sync failed: %v %v", rep.FileErrors, rep.Errors)
	}
	return eng.BytesSent(), time.Since(start), nil
}
