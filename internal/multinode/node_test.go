package multinode

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/megabox-fm/megabox/internal/pgtest"
	"github.com/megabox-fm/megabox/internal/s3test"
	"github.com/megabox-fm/megabox/internal/wait"
)

// megaboxd is the server binary TestMain builds; empty without services.
var megaboxd string

// TestMain builds megaboxd once for every test (without -race: the
// servers are the system under test, the race detector watches this
// package's own code).
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("MEGABOX_TEST_POSTGRES") == "" || os.Getenv("MEGABOX_TEST_S3") == "" {
		return m.Run() // each test skips, or fails when services are required
	}
	dir, err := os.MkdirTemp("", "megabox-multinode-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "megaboxd")
	build := exec.Command("go", "build", "-o", bin, "github.com/megabox-fm/megabox/backend/cmd/megaboxd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build megaboxd:", err)
		return 1
	}
	megaboxd = bin
	return m.Run()
}

// cluster is two megaboxd processes on one fresh database and bucket.
type cluster struct {
	nodes  [2]*node
	db     *pgxpool.Pool // the test's own connection, for checks
	s3     *s3.Client
	bucket string
}

// newCluster starts two nodes, one after the other (the first migrates
// the empty database), and stops them when the test ends.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	dbURL := pgtest.NewDatabase(t)
	blobs, client := s3test.Bucket(t)
	if megaboxd == "" {
		t.Fatal("megaboxd was not built")
	}
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close) // before the database is dropped
	c := &cluster{db: pool, s3: client, bucket: bucketName(t, blobs)}
	for i, name := range []string{"A", "B"} {
		c.nodes[i] = startNode(t, name, dbURL, blobs)
	}
	return c
}

func bucketName(t *testing.T, blobs string) string {
	t.Helper()
	name, _, ok := strings.Cut(strings.TrimPrefix(blobs, "s3://"), "?")
	if !ok {
		t.Fatalf("bucket URL %q", blobs)
	}
	return name
}

// node is one megaboxd process.
type node struct {
	name    string
	url     string // the API, http://127.0.0.1:PORT
	metrics string // http://127.0.0.1:PORT/metrics
	cmd     *exec.Cmd
	exited  chan struct{}
	stdout  string
	log     string
}

// startNode runs megaboxd on free ports and waits until it answers
// /readyz (database and bucket reachable).
func startNode(t *testing.T, name, database, blobs string) *node {
	t.Helper()
	dir := t.TempDir()
	n := &node{name: name, exited: make(chan struct{}),
		stdout: filepath.Join(dir, "stdout"), log: filepath.Join(dir, "log")}
	out, err := os.Create(n.stdout)
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(n.log)
	if err != nil {
		t.Fatal(err)
	}
	n.cmd = exec.Command(megaboxd, "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0",
		"--metrics-addr", "127.0.0.1:0", "--signups-per-hour", "0", "--log-format", "json")
	// The URLs go by environment, as an operator would keep them.
	n.cmd.Env = append(os.Environ(), "MEGABOX_DATABASE="+database, "MEGABOX_BLOBS="+blobs)
	n.cmd.Stdout, n.cmd.Stderr = out, logf
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		n.cmd.Wait()
		out.Close()
		logf.Close()
		close(n.exited)
	}()
	t.Cleanup(func() { n.stop(t) })
	wait.For(t, 60*time.Second, func() bool {
		if n.dead() {
			t.Fatalf("node %s exited while starting: %s", name, n.tail())
		}
		return n.addresses() && n.ready()
	}, func() string { return "node " + name + " to be ready; its log: " + n.tail() })
	return n
}

var runningAt = regexp.MustCompile(`running at (http://\S+) `)

// addresses reads the node's URLs from its first stdout line and the
// metrics listener's log line.
func (n *node) addresses() bool {
	if n.url == "" {
		b, _ := os.ReadFile(n.stdout)
		m := runningAt.FindSubmatch(b)
		if m == nil {
			return false
		}
		n.url = string(m[1])
	}
	if n.metrics == "" {
		b, _ := os.ReadFile(n.log)
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			var line struct{ Msg, URL string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "metrics listening" {
				n.metrics = line.URL
			}
		}
	}
	return n.metrics != ""
}

func (n *node) ready() bool {
	resp, err := httpClient.Get(n.url + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (n *node) dead() bool {
	select {
	case <-n.exited:
		return true
	default:
		return false
	}
}

// kill ends the node at once, as a crash or the OOM killer would.
func (n *node) kill() {
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.exited
}

// stop asks the node to shut down and kills it if it will not; a failed
// test shows the end of its log.
func (n *node) stop(t *testing.T) {
	if !n.dead() {
		n.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.exited:
		case <-time.After(20 * time.Second):
			t.Errorf("node %s did not stop within 20s of SIGTERM", n.name)
			n.kill()
		}
	}
	// A later node may get this one's port: no connection may outlive it.
	httpClient.CloseIdleConnections()
	if t.Failed() {
		t.Logf("node %s log:\n%s", n.name, n.tail())
	}
}

// tail returns the last lines of the node's log.
func (n *node) tail() string {
	b, _ := os.ReadFile(n.log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}

// metric returns a counter or gauge's value from the node's /metrics:
// the sum over every series of the name whose labels contain labels.
func (n *node) metric(t *testing.T, name, labels string) float64 {
	t.Helper()
	resp, err := httpClient.Get(n.metrics)
	if err != nil {
		t.Fatalf("scrape node %s: %v", n.name, err)
	}
	defer resp.Body.Close()
	var sum float64
	found := false
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		series, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		metric, lbls, _ := strings.Cut(series, "{")
		if metric != name || !strings.Contains(lbls, labels) {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(value, &v); err != nil {
			t.Fatalf("node %s: metric line %q: %v", n.name, line, err)
		}
		sum += v
		found = true
	}
	if !found {
		t.Fatalf("node %s exposes no %s{%s}", n.name, name, labels)
	}
	return sum
}

// httpClient is shared by every request the tests send: keep-alive
// connections to both nodes, and no request hangs past a minute.
var httpClient = &http.Client{
	Timeout: time.Minute,
	Transport: &http.Transport{
		MaxIdleConnsPerHost:   64,
		ExpectContinueTimeout: time.Second,
	},
}
