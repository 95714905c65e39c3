package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/sync"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// engineParallel is how many uploads the sync engine runs at once by
// default (sync.Options.Parallel); the raw baseline sends as many.
const engineParallel = 2

// makeTree writes n distinct copies of mp3 (each with its own ID3v1 tag)
// into release folders of at most per files under root, dated an hour
// back so the engine counts them as settled. It returns the bytes written.
func makeTree(root string, mp3 []byte, n, per int) (int64, error) {
	old := time.Now().Add(-time.Hour)
	buf := make([]byte, len(mp3)+128)
	copy(buf, mp3)
	var total int64
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("Release %04d", i/per+1))
		if i%per == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return 0, err
			}
		}
		tag := buf[len(mp3):]
		clear(tag)
		copy(tag, "TAG")
		copy(tag[3:], fmt.Sprintf("Track %d %d", i+1, time.Now().UnixNano()))
		p := filepath.Join(dir, fmt.Sprintf("%04d.mp3", i%per+1))
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			return 0, err
		}
		if err := os.Chtimes(p, old, old); err != nil {
			return 0, err
		}
		total += int64(len(buf))
	}
	return total, nil
}

// tenMB is an MP3 of about 10 MB (4 minutes at 320 kbit/s).
func tenMB(dir string) ([]byte, error) { return encodeMP3At(filepath.Join(dir, "ten.mp3"), 250, 320) }

// syncRun is what one initial sync by the engine to megaboxd cost.
type syncRun struct {
	took   time.Duration
	server ioCounters // megaboxd's /proc/PID/io during the sync
	fsyncs int        // megaboxd's fsync+fdatasync calls during the sync (traced runs only)
}

// megaboxSync syncs the release folders under music with a fresh cache to
// a fresh megaboxd running as its own process, and checks every byte went
// up. With traced set, megaboxd runs under strace to count its fsyncs
// (that slows it, so traced runs are never timed).
func megaboxSync(work, music string, total int64, traced bool) (*syncRun, error) {
	ctx := context.Background()
	work = filepath.Join(work, "megabox")
	defer os.RemoveAll(work)
	trace := ""
	if traced {
		trace = filepath.Join(work, "strace.out")
	}
	p, err := startMegaboxd(filepath.Join(work, "data"), trace)
	if err != nil {
		return nil, err
	}
	defer p.stopAndClean()
	client, err := signedIn(ctx, p.url, true)
	if err != nil {
		return nil, err
	}
	c, err := cache.Open(ctx, filepath.Join(work, "cache", "cache.db"))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := c.AddRoot(ctx, music); err != nil {
		return nil, err
	}
	eng := sync.New(c, client, nil, sync.Options{})
	syscall.Sync() // no writeback of the setup during the timed run
	io0, err := readIO(p.pid)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rep, err := eng.SyncOnce(ctx)
	end := time.Now()
	if err != nil || rep.Failed() {
		return nil, fmt.Errorf("sync: %v %v %v", err, rep.FileErrors, rep.Errors)
	}
	io1, err := readIO(p.pid)
	if err != nil {
		return nil, err
	}
	if eng.BytesSent() < total {
		return nil, fmt.Errorf("the engine sent %d bytes of %d", eng.BytesSent(), total)
	}
	r := &syncRun{took: end.Sub(start), server: io1.minus(io0)}
	if traced {
		p.stop()
		if r.fsyncs, err = syncCalls(trace, start, end); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// rawRun is one run of the raw baseline: per-file PUTs to the raw server.
func rawRun(work, music string, traced bool) (*syncRun, error) {
	work = filepath.Join(work, "raw")
	defer os.RemoveAll(work)
	files, err := treeFiles(music)
	if err != nil {
		return nil, err
	}
	trace := ""
	if traced {
		os.MkdirAll(work, 0o755)
		trace = filepath.Join(work, "strace.out")
	}
	p, err := startRawServer(filepath.Join(work, "data"), trace)
	if err != nil {
		return nil, err
	}
	defer p.stopAndClean()
	syscall.Sync()
	io0, err := readIO(p.pid)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	d, err := rawPut(p, files, engineParallel)
	end := time.Now()
	if err != nil {
		return nil, err
	}
	io1, err := readIO(p.pid)
	if err != nil {
		return nil, err
	}
	r := &syncRun{took: d, server: io1.minus(io0)}
	if traced {
		p.stop()
		if r.fsyncs, err = syncCalls(trace, start, end); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// albumSync compares the initial sync of a tree of 10 MB tracks with raw
// per-file uploads, rclone and Syncthing.
func albumSync(dir string, runs, n, per int, name string, withServer bool, rep *Report) error {
	mp3, err := tenMB(dir)
	if err != nil {
		return err
	}
	work := filepath.Join(dir, "album")
	music := filepath.Join(work, "music")
	defer os.RemoveAll(work)
	total, err := makeTree(music, mp3, n, per)
	if err != nil {
		return err
	}
	mb := func(d time.Duration) float64 { return float64(total) / 1e6 / d.Seconds() }
	row := Row{Name: name, Unit: "MB/s", Digits: 0,
		Ours: Measure{Short: "Megabox"},
		Base: &Measure{Short: "raw", Label: fmt.Sprintf("raw per-file PUTs, %d at a time", engineParallel)},
		Peers: []*Measure{
			{Short: "rclone", Label: "rclone copy → rclone serve webdav"},
			{Short: "Syncthing", Label: "two nodes"},
		},
		Target: "≥ 0.85× raw, ≥ 1.5× rclone, ≥ 2× Syncthing",
	}
	var ours, raws []*syncRun
	err = interleave(runs,
		contender{m: &row.Ours, run: func(int) (float64, error) {
			r, err := megaboxSync(work, music, total, false)
			if err != nil {
				return 0, err
			}
			ours = append(ours, r)
			return mb(r.took), nil
		}},
		contender{m: row.Base, run: func(int) (float64, error) {
			r, err := rawRun(work, music, false)
			if err != nil {
				return 0, err
			}
			raws = append(raws, r)
			return mb(r.took), nil
		}},
		contender{m: row.Peers[0], optional: true, run: func(int) (float64, error) {
			syscall.Sync()
			d, err := rcloneCopy(work, music, total)
			return mb(d), err
		}},
		contender{m: row.Peers[1], optional: true, run: func(int) (float64, error) {
			syscall.Sync()
			d, err := syncthingSync(work, music, n, total)
			return mb(d), err
		}},
	)
	if err != nil {
		return err
	}
	row.Met = atLeast(&row, row.Base, 0.85) && atLeast(&row, row.Peers[0], 1.5) && atLeast(&row, row.Peers[1], 2)
	row.Note = fmt.Sprintf("%d distinct MP3s of 10 MB in folders of %d, read from the page cache by every contender. "+
		"Megabox: the sync engine (hash, tags, tus upload, release draft) with a fresh cache, to a fresh megaboxd (the real binary, its own process) on loopback; "+
		"timed from SyncOnce to its return. Raw: a minimal HTTP server (its own process) that hashes each PUT's body with SHA-256 into a file and fsyncs it; "+
		"the client sends one PUT per file, %d at a time like the engine. rclone: Debian's rclone, `rclone copy SRC :webdav:` to `rclone serve webdav DEST` "+
		"on loopback, defaults otherwise (4 transfers), server already running, the copy command timed; its server does not fsync (checked with strace) and, WebDAV offering no hashes, rclone checks sizes only: it does less work. Syncthing: Debian's Syncthing, two nodes with their own "+
		"homes on loopback (discovery, relays and NAT off, fsync on as by default); timed from giving the first node the folder (it scans and hashes) until the second reports every file "+
		"in sync (`/rest/db/status`: inSyncFiles = all, needFiles = 0, idle); setting the nodes up is not timed and must take under a minute.", n, per, engineParallel)
	rep.Rows = append(rep.Rows, row)
	if !withServer {
		return nil
	}
	return serverCost(work, music, total, n, runs, ours, raws, rep)
}

// serverCost adds what the server reads and fsyncs per upload: the read
// counters come from the timed runs, the fsyncs from traced runs.
func serverCost(work, music string, total int64, n, runs int, ours, raws []*syncRun, rep *Report) error {
	per := func(rs []*syncRun, f func(*syncRun) float64) []float64 {
		var v []float64
		for _, r := range rs {
			v = append(v, f(r))
		}
		return v
	}
	rchar := func(r *syncRun) float64 { return float64(r.server.rchar) / float64(total) }
	disk := func(r *syncRun) float64 { return float64(r.server.readBytes) / float64(total) }
	r1 := Row{Name: "server: bytes read per byte uploaded, every read() counted (rchar)", Digits: 3,
		Ours:   Measure{Short: "Megabox", Vals: per(ours, rchar)},
		Base:   &Measure{Short: "raw", Label: "raw server", Vals: per(raws, rchar)},
		Target: "≤ 1.02 (the body, read once)",
		Note: "rchar of megaboxd's /proc/PID/io over the timed album syncs above, divided by the bytes uploaded. It counts every byte read() returns: " +
			"the request bodies from the socket (1.0) plus any re-read of a stored file, even one served from the page cache.",
	}
	r1.Met = r1.Ours.median() <= 1.02
	r2 := Row{Name: "server: bytes read from storage per byte uploaded (read_bytes)", Digits: 3,
		Ours:   Measure{Short: "Megabox", Vals: per(ours, disk)},
		Base:   &Measure{Short: "raw", Label: "raw server", Vals: per(raws, disk)},
		Target: "≤ 1.0",
		Note: "read_bytes of megaboxd's /proc/PID/io over the same runs: only reads that reached the block device. A re-read of a file the server has just " +
			"written is served from the page cache and does not show here; the rchar row catches it.",
	}
	r2.Met = r2.Ours.median() <= 1.0
	r3 := Row{Name: fmt.Sprintf("server: fsyncs per uploaded file (%d-file album, whole sync)", n), Digits: 2,
		Ours:   Measure{Short: "Megabox"},
		Base:   &Measure{Short: "raw", Label: "raw server"},
		Target: "≤ 2",
		Note: "fsync and fdatasync calls of the server process during the sync (megaboxd started under `strace --seccomp-bpf -f -e trace=fsync,fdatasync`, " +
			"calls counted between the start and end of SyncOnce by timestamp), divided by the files uploaded; includes the commits for the release draft. " +
			"Traced rounds are separate from the timed ones.",
	}
	err := interleave(runs,
		contender{m: &r3.Ours, run: func(int) (float64, error) {
			r, err := megaboxSync(work, music, total, true)
			if err != nil {
				return 0, err
			}
			return float64(r.fsyncs) / float64(n), nil
		}},
		contender{m: r3.Base, run: func(int) (float64, error) {
			r, err := rawRun(work, music, true)
			if err != nil {
				return 0, err
			}
			return float64(r.fsyncs) / float64(n), nil
		}},
	)
	if err != nil {
		return err
	}
	r3.Met = r3.Ours.median() <= 2
	rep.Rows = append(rep.Rows, r1, r2, r3)
	return nil
}

// atLeast reports whether Megabox reaches x times m; a peer that could not
// be measured is left out (its cell says why).
func atLeast(r *Row, m *Measure, x float64) bool {
	if !m.ok() {
		return m.Why != "" && m != r.Base
	}
	return r.ratio(m) >= x
}

func benchAlbum20(dir string, runs int, rep *Report) error {
	return albumSync(dir, runs, 20, 20, "initial sync, 20 × 10 MB album", true, rep)
}

func benchAlbum200(dir string, runs int, rep *Report) error {
	return albumSync(dir, runs, 200, 20, "initial sync, 200 × 10 MB (10 albums of 20)", false, rep)
}

// countingDialer counts the bytes a client reads from its connections, so
// file reads can be told apart from socket reads in /proc/self/io.
type countingDialer struct{ n atomic.Int64 }

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (d *countingDialer) client() *http.Client {
	var nd net.Dialer
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{c, &d.n}, nil
		}}}
}

// countingClient is a signed-in creator whose socket reads are counted.
func countingClient(ctx context.Context, url string) (*mhttp.Client, *countingDialer, error) {
	d := &countingDialer{}
	c, err := signedInWith(ctx, url, true, d.client())
	return c, d, err
}
