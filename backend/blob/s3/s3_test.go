package s3_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
	"github.com/megabox-fm/megabox/backend/blob/blobtest"
	s3blob "github.com/megabox-fm/megabox/backend/blob/s3"
	"github.com/megabox-fm/megabox/internal/s3test"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Bucket {
		b, _ := mustOpen(t)
		return b
	})
}

func mustOpen(t *testing.T) (*s3blob.Bucket, *s3.Client) {
	t.Helper()
	u, client := s3test.Bucket(t)
	b, err := s3blob.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return b, client
}

func TestParseURL(t *testing.T) {
	good := []struct {
		raw  string
		want s3blob.Config
	}{
		{"s3://media", s3blob.Config{Bucket: "media"}},
		{"s3://media/eu/prod/?region=eu-west-1", s3blob.Config{Bucket: "media", Prefix: "eu/prod/", Region: "eu-west-1"}},
		{"s3://media?endpoint=http://127.0.0.1:7070&region=us-east-1&path_style=true",
			s3blob.Config{Bucket: "media", Endpoint: "http://127.0.0.1:7070", Region: "us-east-1", PathStyle: true}},
	}
	for _, g := range good {
		got, err := s3blob.ParseURL(g.raw)
		if err != nil || got != g.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", g.raw, got, err, g.want)
		}
	}
	bad := map[string]string{
		"s3://key:secret@media":                    "credentials",
		"s3://media?endpoint=http://k:s@host:1":    "credentials",
		"https://media":                            "s3://",
		"s3:///prefix":                             "no bucket",
		"s3://media?endpoint=127.0.0.1:7070":       "endpoint",
		"s3://media?path_style=maybe":              "path_style",
		"s3://media?secret_key=x":                  "unknown",
		"s3://media?endpoint=ftp://127.0.0.1:7070": "endpoint",
	}
	for raw, want := range bad {
		_, err := s3blob.ParseURL(raw)
		if api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != "blobs" || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseURL(%q): err = %v (field %q), want an invalid blobs error about %q", raw, err, api.ErrorField(err), want)
		}
	}
}

// TestKeyLayout: blobs are stored as [prefix/]blobs/ab/<sha256>.
func TestKeyLayout(t *testing.T) {
	u, client := s3test.Bucket(t)
	ctx := context.Background()
	name := strings.TrimPrefix(u[:strings.Index(u, "?")], "s3://")
	for _, tc := range []struct{ url, prefix string }{{u, ""}, {strings.Replace(u, "?", "/tenant-a?", 1), "tenant-a/"}} {
		b, err := s3blob.Open(ctx, tc.url)
		if err != nil {
			t.Fatal(err)
		}
		data := blobtest.Bytes(1000, uint64(len(tc.prefix)))
		sum := blobtest.Digest(data)
		if _, err := b.Put(ctx, sum, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		want := tc.prefix + "blobs/" + sum[:2] + "/" + sum
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &name, Key: &want})
		if err != nil {
			t.Fatalf("object %s: %v", want, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, data) {
			t.Fatalf("object %s holds %d other bytes", want, len(got))
		}
	}
}

// TestRangeReadFetchesOnlyTheRange: reading 1000 bytes in the middle of a
// 20 MB blob sends a ranged GET and pulls a few KB over the network.
func TestRangeReadFetchesOnlyTheRange(t *testing.T) {
	ctx := context.Background()
	plain, data, sum := bucketHolding(t, 20<<20, 1)

	var read atomic.Int64
	var mu sync.Mutex
	var ranges []string
	opts := plain.Client().Options()
	opts.HTTPClient = recordingClient{
		base: awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.DialContext = countingDialer(&read)
		}),
		record: func(r *http.Request) {
			if r.Method == http.MethodGet {
				mu.Lock()
				ranges = append(ranges, r.Header.Get("Range"))
				mu.Unlock()
			}
		},
	}
	b := s3blob.New(s3.New(opts), plain.Name(), "")

	o, err := b.Open(ctx, sum)
	if err != nil {
		t.Fatal(err)
	}
	const off = 10 << 20
	if _, err := o.Seek(off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(o, buf); err != nil {
		t.Fatal(err)
	}
	o.Close()
	if !bytes.Equal(buf, data[off:off+1000]) {
		t.Fatal("range bytes differ from the original")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ranges) != 1 || ranges[0] != "bytes=10485760-" {
		t.Fatalf("GET requests carried Range %q, want one with bytes=10485760-", ranges)
	}
	if n := read.Load(); n > 256<<10 {
		t.Fatalf("read %d bytes from the network for a 1000-byte range of a 20 MB blob", n)
	}
}

// TestBoundedReadAsksForTheRangeOnly: an object told where reads stop
// asks S3 for those bytes only, so stopping there cuts no transfer short;
// reading on past it starts another GET and still gets the right bytes.
func TestBoundedReadAsksForTheRangeOnly(t *testing.T) {
	ctx := context.Background()
	plain, data, sum := bucketHolding(t, 3<<20, 2)
	var mu sync.Mutex
	var ranges []string
	opts := plain.Client().Options()
	opts.HTTPClient = recordingClient{base: awshttp.NewBuildableClient(), record: func(r *http.Request) {
		if r.Method == http.MethodGet {
			mu.Lock()
			ranges = append(ranges, r.Header.Get("Range"))
			mu.Unlock()
		}
	}}
	b := s3blob.New(s3.New(opts), plain.Name(), "")
	o, err := b.Open(ctx, sum)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	o.(blob.Bounded).ReadUntil(2000)
	if _, err := o.Seek(1000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 1500) // 1000 in the range, 500 past it
	if _, err := io.ReadFull(o, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data[1000:2500]) {
		t.Fatal("bytes differ from the original")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ranges) != 2 || ranges[0] != "bytes=1000-1999" || ranges[1] != "bytes=2000-" {
		t.Fatalf("GET ranges %q, want bytes=1000-1999 then bytes=2000-", ranges)
	}
}

// TestFailedUploadsLeaveNothing: a large upload that fails its checksum
// or is canceled is aborted on the server: no object, no pending upload
// holding its parts.
func TestFailedUploadsLeaveNothing(t *testing.T) {
	b, client := mustOpen(t)
	ctx := context.Background()
	data := blobtest.Bytes(20<<20, 2)
	wrong := blobtest.Digest([]byte("not these bytes"))
	if _, err := b.Put(ctx, wrong, bytes.NewReader(data)); api.ErrorCode(err) != api.ECHECKSUM {
		t.Fatalf("Put with a wrong digest: err = %v, want code %s", err, api.ECHECKSUM)
	}
	cctx, cancel := context.WithCancel(ctx)
	r := io.MultiReader(bytes.NewReader(data[:9<<20]), cancelAtEOF{cancel}, bytes.NewReader(data[9<<20:]))
	if _, err := b.Put(cctx, blobtest.Digest(data), r); err == nil {
		t.Fatal("canceled Put succeeded")
	}
	name := b.Name()
	if up := s3test.Uploads(t, client, name); len(up) != 0 {
		t.Fatalf("%d multipart uploads left pending, first for %s", len(up), *up[0].Key)
	}
	objs, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &name})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.Contents) != 0 {
		t.Fatalf("%d objects stored, first %s", len(objs.Contents), *objs.Contents[0].Key)
	}
}

// TestPresignGet: a presigned URL serves the blob, and ranges of it, to a
// client without credentials.
func TestPresignGet(t *testing.T) {
	b, _ := mustOpen(t)
	ctx := context.Background()
	data := blobtest.Bytes(100_000, 3)
	sum := blobtest.Digest(data)
	if _, err := b.Put(ctx, sum, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	u, err := b.PresignGet(ctx, sum, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u, "megabox-test-secret") {
		t.Fatal("presigned URL holds the secret key")
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Range", "bytes=1000-1999")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, data[1000:2000]) {
		t.Fatalf("ranged GET of presigned URL: %d with %d bytes, want 206 with bytes 1000..1999", resp.StatusCode, len(got))
	}
	resp, err = http.Get(strings.Replace(u, "X-Amz-Signature=", "X-Amz-Signature=0", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("GET with a tampered signature: %d, want 403", resp.StatusCode)
	}
	for _, ttl := range []time.Duration{0, -time.Second, 8 * 24 * time.Hour} {
		if _, err := b.PresignGet(ctx, sum, ttl); api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != "ttl" {
			t.Errorf("PresignGet(ttl %s): err = %v, want invalid ttl", ttl, err)
		}
	}
	if _, err := b.PresignGet(ctx, "../"+sum[3:], time.Minute); api.ErrorCode(err) != api.EINVALID {
		t.Errorf("PresignGet(bad name): err = %v, want invalid", err)
	}
}

func TestPing(t *testing.T) {
	u, _ := s3test.Bucket(t)
	ctx := context.Background()
	b, err := s3blob.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Ping(ctx); err != nil {
		t.Fatalf("Ping of an existing bucket: %v", err)
	}
	missing, err := s3blob.Open(ctx, strings.Replace(u, "megabox-test-", "megabox-absent-", 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := missing.Ping(ctx); err == nil {
		t.Fatal("Ping of a bucket that does not exist succeeded")
	}
}

type recordingClient struct {
	base   s3.HTTPClient
	record func(*http.Request)
}

func (c recordingClient) Do(r *http.Request) (*http.Response, error) {
	c.record(r)
	return c.base.Do(r)
}

// countingDialer counts the bytes read from every connection it makes.
func countingDialer(n *atomic.Int64) func(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, n}, nil
	}
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type cancelAtEOF struct{ cancel context.CancelFunc }

func (r cancelAtEOF) Read([]byte) (int, error) {
	r.cancel()
	return 0, io.EOF
}

// TestServerChecksSmallBlobs: a body known to fit one PUT is sent with its
// sha256, so the server itself refuses an adopted file whose name lies and
// records the digest of one that does not.
func TestServerChecksSmallBlobs(t *testing.T) {
	b, client := mustOpen(t)
	ctx := context.Background()
	data := blobtest.Bytes(100_000, 4)
	wrong := blobtest.Digest([]byte("a name that lies"))
	p := filepath.Join(t.TempDir(), "adopted")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AdoptFile(ctx, wrong, p); api.ErrorCode(err) != api.ECHECKSUM {
		t.Fatalf("AdoptFile under a wrong digest: err = %v, want code %s", err, api.ECHECKSUM)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("a rejected file must stay in place: %v", err)
	}
	if _, err := b.Stat(ctx, wrong); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("Stat after a refused AdoptFile: err = %v, want code %s", err, api.ENOTFOUND)
	}

	sum := blobtest.Digest(data)
	if _, err := b.AdoptFile(ctx, sum, p); err != nil {
		t.Fatal(err)
	}
	name, key := b.Name(), b.Key(sum)
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &name, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := hex.DecodeString(sum)
	if got, want := aws.ToString(head.ChecksumSHA256), base64.StdEncoding.EncodeToString(raw); got != want {
		t.Fatalf("stored sha256 checksum = %q, want %q (the blob's name)", got, want)
	}
}

// TestStoredBlobIsNotSentAgain: Put and PutFile of a blob already stored
// hash the bytes but upload nothing.
func TestStoredBlobIsNotSentAgain(t *testing.T) {
	plain, _ := mustOpen(t)
	ctx := context.Background()
	data := blobtest.Bytes(100_000, 5)
	sum := blobtest.Digest(data)
	if _, err := plain.Put(ctx, sum, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var writes []string
	opts := plain.Client().Options()
	opts.HTTPClient = recordingClient{base: opts.HTTPClient, record: func(r *http.Request) {
		if r.Method == http.MethodPut || r.Method == http.MethodPost {
			mu.Lock()
			writes = append(writes, r.Method+" "+r.URL.Path)
			mu.Unlock()
		}
	}}
	b := s3blob.New(s3.New(opts), plain.Name(), "")
	if n, err := b.Put(ctx, sum, bytes.NewReader(data)); err != nil || n != int64(len(data)) {
		t.Fatalf("Put of a stored blob = %d, %v; want %d, nil", n, err, len(data))
	}
	p := filepath.Join(t.TempDir(), "again")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := b.PutFile(ctx, sum, p); err != nil || n != int64(len(data)) {
		t.Fatalf("PutFile of a stored blob = %d, %v; want %d, nil", n, err, len(data))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(writes) != 0 {
		t.Fatalf("stored blob sent again: %q", writes)
	}
}

// bucketHolding is a new bucket holding one blob of n seeded bytes.
func bucketHolding(t *testing.T, n int, seed uint64) (*s3blob.Bucket, []byte, string) {
	t.Helper()
	u, _ := s3test.Bucket(t)
	b, err := s3blob.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	data := blobtest.Bytes(n, seed)
	sum := blobtest.Digest(data)
	if _, err := b.Put(context.Background(), sum, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	return b, data, sum
}
