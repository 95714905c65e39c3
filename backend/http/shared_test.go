package http_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	neturl "net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/pgtest"
	"github.com/megabox-fm/megabox/internal/s3test"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// sharedPair is two servers on one PostgreSQL database and one S3 bucket,
// as two megaboxd nodes behind one address, each with its janitor
// listening for the other's requests for uploads.
func sharedPair(t *testing.T) (*env, *env) {
	a, b, _ := sharedPairWithBucket(t)
	return a, b
}

// sharedPairWithBucket also returns a look into the bucket.
func sharedPairWithBucket(t *testing.T) (*env, *env, *bucketView) {
	t.Helper()
	cfg := platform.DefaultConfig
	cfg.Database = pgtest.NewDatabase(t)
	var client *s3.Client
	cfg.Blobs, client = s3test.Bucket(t)
	u, err := neturl.Parse(cfg.Blobs)
	if err != nil {
		t.Fatal(err)
	}
	a, b := newEnv(t, cfg), newEnv(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, e := range []*env{a, b} {
		wg.Go(func() { e.p.Handler.Janitor(ctx) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	return a, b, &bucketView{client: client, name: u.Host}
}

type bucketView struct {
	client *s3.Client
	name   string
}

// parts counts the parts of the upload at path already stored in S3.
func (v *bucketView) parts(t *testing.T, path string) int {
	t.Helper()
	key := "uploads/" + path[strings.LastIndex(path, "/")+1:]
	ctx := context.Background()
	ups, err := v.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &v.name, Prefix: &key})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range ups.Uploads {
		ps, err := v.client.ListParts(ctx, &s3.ListPartsInput{Bucket: &v.name, Key: u.Key, UploadId: u.UploadId})
		if err != nil {
			t.Fatal(err)
		}
		n += len(ps.Parts)
	}
	return n
}

func (e *env) patch(token, p string, offset int64, body io.Reader, length int64) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest("PATCH", e.srv.URL+p, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// readBacks is how many finished uploads a server read again to hash.
func (e *env) readBacks() float64 {
	return value(e.scrape(), "megabox_uploads_read_back_total", nil)
}

// TestSharedUploadResumesOnAnotherServer: an upload begun on one server,
// cut in the middle of a request, is resumed on the other from the offset
// the other reports, and finishes as the exact bytes, verified without
// either server reading them back.
func TestSharedUploadResumesOnAnotherServer(t *testing.T) {
	a, b := sharedPair(t)
	c, _ := a.signUp("nova", true)
	data := testmedia.SilentMP3(20<<20 + 12345) // over maxDirect: in pieces
	sum := hexSHA(data)
	p := a.createUpload(c.Token(), len(data), sum)

	cut := int64(7<<20 + 99)
	body := &cutReader{r: bytes.NewReader(data[:cut]), err: io.ErrUnexpectedEOF}
	a.patch(c.Token(), p, 0, body, int64(len(data))) // cut after cut bytes
	// The cut request ends on the server once it has read what was sent.
	wait.Until(t, 20*time.Second, "the cut request's bytes are read", func() bool {
		return value(a.scrape(), "megabox_upload_received_bytes_total", nil) >= float64(cut)
	})
	off := b.uploadOffset(c.Token(), p)
	if off != cut {
		t.Fatalf("after the cut the other server reports offset %d, want the %d bytes sent", off, cut)
	}
	status, msg := b.patch(c.Token(), p, off, bytes.NewReader(data[off:]), int64(len(data))-off)
	if status != http.StatusNoContent {
		t.Fatalf("resumed PATCH on the other server: %d %s", status, msg)
	}
	for _, e := range []*env{a, b} {
		if owned, err := e.p.Blobs.FindBlob(context.Background(), sum); err != nil || owned.Size != int64(len(data)) {
			t.Fatalf("blob after the resumed upload: %+v, %v", owned, err)
		}
		obj, err := e.p.Bucket.Open(context.Background(), sum)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(obj)
		obj.Close()
		if hexSHA(got) != sum {
			t.Fatalf("stored blob hashes to %s, want %s", hexSHA(got), sum)
		}
		if n := e.readBacks(); n != 0 {
			t.Fatalf("a server read %v finished uploads back; the saved hash state should have covered every byte", n)
		}
	}
}

// cutReader gives r's bytes, then fails like a dropped connection.
type cutReader struct {
	r   io.Reader
	err error
}

func (c *cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		return n, c.err
	}
	return n, err
}

// TestSharedLockIsTakenFromAnotherServer: while a request on one server
// holds an upload (its client stalled mid-body), a request for the same
// upload on the other server asks the first to let go and gets it, and
// the upload goes on from what the stalled request stored.
func TestSharedLockIsTakenFromAnotherServer(t *testing.T) {
	a, b, bucket := sharedPairWithBucket(t)
	c, _ := a.signUp("nova", true)
	data := testmedia.SilentMP3(20<<20 + 7)
	sum := hexSHA(data)
	p := a.createUpload(c.Token(), len(data), sum)

	sent := int64(17<<20 + 3) // one whole part, stored while the request stalls
	stall := &stallReader{r: bytes.NewReader(data[:sent]), release: make(chan struct{})}
	defer close(stall.release)
	done := make(chan int, 1)
	go func() {
		status, _ := a.patch(c.Token(), p, 0, stall, int64(len(data)))
		done <- status
	}()
	// A stored part means the stalled request holds the upload.
	wait.Until(t, 20*time.Second, "a part of the stalled request is stored", func() bool { return bucket.parts(t, p) > 0 })

	off := b.uploadOffset(c.Token(), p) // takes the lock from the other server
	if off > sent {
		t.Fatalf("offset on the other server = %d, more than the %d bytes sent", off, sent)
	}
	select {
	case status := <-done:
		if status == http.StatusNoContent {
			t.Fatalf("the stalled request finished with %d; it should have been stopped", status)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the stalled request was never asked to stop")
	}
	status, msg := b.patch(c.Token(), p, off, bytes.NewReader(data[off:]), int64(len(data))-off)
	if status != http.StatusNoContent {
		t.Fatalf("PATCH on the other server: %d %s", status, msg)
	}
	if blob, err := b.p.Blobs.FindBlob(context.Background(), sum); err != nil || blob.Size != int64(len(data)) {
		t.Fatalf("blob = %+v, %v", blob, err)
	}
}

// stallReader gives r's bytes, then blocks until released.
type stallReader struct {
	r       io.Reader
	release chan struct{}
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		<-s.release
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// objects lists the keys in the bucket under prefix.
func (v *bucketView) objects(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := v.client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &v.name, Prefix: &prefix})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, *o.Key)
	}
	return keys
}

// TestSharedWholeUploads: a file sent whole in the request that creates
// its upload is stored at its blob's key in one PUT, with nothing left
// under uploads/; one that is not what it claims, or not something the
// platform takes, leaves nothing at all.
func TestSharedWholeUploads(t *testing.T) {
	a, b, bucket := sharedPairWithBucket(t)
	c, _ := a.signUp("nova", true)
	data := testmedia.SilentMP3(900_000)
	sum := a.upload(c, data)
	obj, err := b.p.Bucket.Open(context.Background(), sum)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj)
	obj.Close()
	if hexSHA(got) != sum {
		t.Fatalf("stored blob hashes to %s, want %s", hexSHA(got), sum)
	}
	if keys := bucket.objects(t, "uploads/"); len(keys) != 0 {
		t.Fatalf("left under uploads/: %v", keys)
	}
	if n := bucket.parts(t, "/x"); n != 0 {
		t.Fatalf("%d multipart parts", n)
	}
	if n := a.readBacks(); n != 0 {
		t.Fatalf("%v read backs", n)
	}

	text := bytes.Repeat([]byte{0xff, 0xfe, 0x00, 0x13, 0x37}, 100_000) // neither audio, image, PDF, ZIP nor text
	for name, u := range map[string]struct {
		body []byte
		sum  string
	}{
		"wrong sha256": {data[:800_000], hexSHA(data[:800_001])},
		"not audio":    {text, hexSHA(text)},
	} {
		_, err := c.UploadFile(context.Background(), bytes.NewReader(u.body), &mhttp.Upload{SHA256: u.sum, Size: int64(len(u.body)), Filename: "x"})
		if err == nil {
			t.Fatalf("%s: upload accepted", name)
		}
		if _, err := b.p.Bucket.Stat(context.Background(), u.sum); api.ErrorCode(err) != api.ENOTFOUND {
			t.Fatalf("%s: blob key holds something: %v", name, err)
		}
	}
	if keys := bucket.objects(t, "uploads/"); len(keys) != 0 {
		t.Fatalf("left under uploads/ after refusals: %v", keys)
	}
}

// TestSharedWholeUploadCutShortResumes: a small file sent whole whose
// request is cut is recorded, and is resumed through the other server
// from the start.
func TestSharedWholeUploadCutShortResumes(t *testing.T) {
	a, b := sharedPair(t)
	c, _ := a.signUp("nova", true)
	data := testmedia.SilentMP3(3<<20 + 1)
	sum := hexSHA(data)
	// The body stalls after 1 MiB until the server says where the upload
	// lives, then the connection drops.
	located := make(chan string, 1)
	body := &cutAfter{r: bytes.NewReader(data[:1<<20]), wait: located}
	req, err := http.NewRequest("POST", a.srv.URL+"/api/v1/uploads/", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(data))
	for k, v := range map[string]string{"Authorization": "Bearer " + c.Token(), "Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(len(data)),
		"Upload-Metadata": "sha256 " + b64(sum), "Content-Type": "application/offset+octet-stream"} {
		req.Header.Set(k, v)
	}
	req = req.WithContext(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			if code == mhttp.StatusUploadResumable {
				located <- h.Get("Location")
			}
			return nil
		},
	}))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("cut creation answered %d", resp.StatusCode)
	}
	if body.loc == "" {
		t.Fatal("no 104 with the upload's location before the cut")
	}
	p, _ := url(body.loc)
	var off int64 = -1
	wait.Until(t, 20*time.Second, "the cut upload is resumable on the other server", func() bool {
		status, _, hdr := b.raw("HEAD", p, c.Token(), nil, "Tus-Resumable", "1.0.0")
		if status == http.StatusOK {
			off, _ = strconv.ParseInt(hdr.Get("Upload-Offset"), 10, 64)
		}
		return status == http.StatusOK
	})
	if off != 0 {
		t.Fatalf("resumed at %d, want 0 (a whole upload cut short keeps nothing)", off)
	}
	if status, msg := b.patch(c.Token(), p, 0, bytes.NewReader(data), int64(len(data))); status != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", status, msg)
	}
	if blob, err := a.p.Blobs.FindBlob(context.Background(), sum); err != nil || blob.Size != int64(len(data)) {
		t.Fatalf("blob = %+v, %v", blob, err)
	}
}

// cutAfter gives r's bytes, waits for the upload's location, then fails
// like a dropped connection.
type cutAfter struct {
	r    io.Reader
	wait chan string
	loc  string
}

func (c *cutAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		select {
		case c.loc = <-c.wait:
		case <-time.After(20 * time.Second):
		}
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// TestSharedQuotaCountsUploadsOnEveryServer: an upload in flight on one
// server counts against the account's quota on the other.
func TestSharedQuotaCountsUploadsOnEveryServer(t *testing.T) {
	cfg := platform.DefaultConfig
	cfg.Quota = 5 << 20
	cfg.Database = pgtest.NewDatabase(t)
	cfg.Blobs, _ = s3test.Bucket(t)
	a, b := newEnv(t, cfg), newEnv(t, cfg)
	c, acct := a.signUp("nova", true)
	first := testmedia.SilentMP3(3 << 20)
	stall := &stallReader{r: bytes.NewReader(first[:1<<20]), release: make(chan struct{})}
	defer close(stall.release)
	req, err := http.NewRequest("POST", a.srv.URL+"/api/v1/uploads/", stall)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(first))
	for k, v := range map[string]string{"Authorization": "Bearer " + c.Token(), "Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(len(first)),
		"Upload-Metadata": "sha256 " + b64(hexSHA(first)), "Content-Type": "application/offset+octet-stream"} {
		req.Header.Set(k, v)
	}
	go func() {
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	wait.Until(t, 20*time.Second, "the first upload counts against the quota", func() bool {
		used, err := a.p.Blobs.UsedBytes(context.Background(), acct.ID)
		return err == nil && used == int64(len(first))
	})
	second := testmedia.SilentMP3(3 << 20)
	status, body, _ := b.raw("POST", "/api/v1/uploads/", c.Token(), bytes.NewReader(second), "Tus-Resumable", "1.0.0",
		"Upload-Length", strconv.Itoa(len(second)), "Upload-Metadata", "sha256 "+b64(hexSHA(second)), "Content-Type", "application/offset+octet-stream")
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), `"code":"quota"`) {
		t.Fatalf("second upload on the other server: %d %s, want the quota refused", status, body)
	}
}
