// Package s3 is a blob.Bucket on an S3-compatible object store (AWS S3,
// versitygw, Ceph RGW, …), built on aws-sdk-go-v2.
//
// A blob with digest abcdef… is the object blobs/ab/abcdef…. Uploads are
// hashed as they stream out and only completed when the digest matches:
//
//	reader ──► sha256 ──► transfer manager ──► PutObject              (small)
//	                                      └──► UploadPart × n ──► Complete (large)
//
// A reader that ends with the wrong digest returns an error in place of
// io.EOF, so the single PUT is never sent or the multipart upload is
// aborted instead of completed: nothing ever appears under a name its bytes
// do not hash to, on any server, whether or not it checks checksums itself.
// Each request also carries a checksum the server verifies: the blob's
// sha256 for a body known to fit one PUT, the SDK's CRC32 otherwise (per
// part), so bytes damaged on the way are rejected too.
//
// Reads are ranged GETs opened lazily at the object's offset, so a Seek
// costs nothing until the next Read and a range never fetches the whole
// object.
package s3

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
)

// Upload shape: a Put holds at most (concurrency+1) parts in memory.
const (
	partSize    = 8 << 20
	concurrency = 3
	// abortTimeout bounds the clean-up of a failed multipart upload, which
	// runs on a fresh context when the caller's has ended.
	abortTimeout = 30 * time.Second
	// maxPresign is SigV4's longest lifetime for a presigned URL.
	maxPresign = 7 * 24 * time.Hour
)

// Bucket implements blob.Bucket on one S3 bucket.
type Bucket struct {
	client *s3.Client
	tm     *transfermanager.Client
	name   string
	prefix string // key prefix, "" or ending in "/"
}

var _ blob.Bucket = (*Bucket)(nil)

// Config is what an s3:// URL says. Credentials never come from the URL:
// they come from the standard AWS sources (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, shared files, instance roles).
type Config struct {
	Bucket    string // the bucket's name
	Prefix    string // optional key prefix, from the URL's path
	Endpoint  string // e.g. http://127.0.0.1:7070; empty for AWS
	Region    string // empty: from AWS_REGION or the shared config
	PathStyle bool   // bucket in the path, not the host name (most non-AWS servers)
}

// ParseURL reads s3://bucket[/prefix]?endpoint=…&region=…&path_style=true.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, api.FieldErrorf("blobs", "blob store URL: %v", err)
	}
	if u.Scheme != "s3" {
		return Config{}, api.FieldErrorf("blobs", "blob store URL must start with s3://, not %q", u.Scheme+"://")
	}
	if u.User != nil {
		return Config{}, api.FieldErrorf("blobs", "blob store URL must not hold credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	c := Config{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if c.Bucket == "" {
		return Config{}, api.FieldErrorf("blobs", "blob store URL names no bucket: s3://BUCKET")
	}
	if c.Prefix != "" {
		c.Prefix += "/"
	}
	for k, v := range u.Query() {
		switch val := v[len(v)-1]; k {
		case "endpoint":
			e, err := url.Parse(val)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
				return Config{}, api.FieldErrorf("blobs", "endpoint must be an http(s) URL, not %q", val)
			}
			if e.User != nil {
				return Config{}, api.FieldErrorf("blobs", "endpoint must not hold credentials")
			}
			c.Endpoint = val
		case "region":
			c.Region = val
		case "path_style":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return Config{}, api.FieldErrorf("blobs", "path_style must be true or false, not %q", val)
			}
			c.PathStyle = b
		default:
			return Config{}, api.FieldErrorf("blobs", "unknown blob store URL parameter %q (known: endpoint, region, path_style)", k)
		}
	}
	return c, nil
}

// Open connects to the bucket an s3:// URL names (see ParseURL). It does
// not call the server; Ping does.
func Open(ctx context.Context, rawURL string) (*Bucket, error) {
	c, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	client, err := NewClient(ctx, c)
	if err != nil {
		return nil, err
	}
	return New(client, c.Bucket, c.Prefix), nil
}

// NewClient makes an S3 client for c with credentials from the
// environment.
func NewClient(ctx context.Context, c Config) (*s3.Client, error) {
	var opts []func(*config.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Region == "" {
		return nil, api.FieldErrorf("blobs", "no region: add region=… to the blob store URL or set AWS_REGION")
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
		o.UsePathStyle = c.PathStyle
		// Ranged and multipart GETs carry no whole-object checksum to
		// check; the SDK would log that on every read.
		o.DisableLogOutputChecksumValidationSkipped = true
	}), nil
}

// New wraps a client: blobs live in bucket name under prefix ("" or
// ending in "/").
func New(client *s3.Client, name, prefix string) *Bucket {
	tm := transfermanager.New(client, func(o *transfermanager.Options) {
		o.PartSizeBytes = partSize
		o.MultipartUploadThreshold = partSize
		o.Concurrency = concurrency
		o.FailTimeout = abortTimeout
	})
	return &Bucket{client: client, tm: tm, name: name, prefix: prefix}
}

// Client is the bucket's S3 client, for parts that speak S3 themselves
// (resumable uploads).
func (b *Bucket) Client() *s3.Client { return b.client }

// Name is the bucket's name.
func (b *Bucket) Name() string { return b.name }

// Key is where a blob with a valid sha256 lives in the bucket.
func (b *Bucket) Key(sha string) string { return b.prefix + "blobs/" + sha[:2] + "/" + sha }

func (b *Bucket) key(sha string) (string, error) {
	if !api.ValidSHA256(sha) {
		return "", api.Errorf(api.EINVALID, "blob name must be a lowercase hex sha256")
	}
	return b.Key(sha), nil
}

// Ping tells whether the bucket is reachable with our credentials.
func (b *Bucket) Ping(ctx context.Context) error {
	if _, err := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &b.name}); err != nil {
		return fmt.Errorf("blob store bucket %s: %w", b.name, err)
	}
	return nil
}

// Put implements blob.Bucket. The bytes of a blob already stored are
// only hashed, not sent again.
func (b *Bucket) Put(ctx context.Context, sha string, r io.Reader) (int64, error) {
	key, err := b.key(sha)
	if err != nil {
		return 0, err
	}
	stored, err := b.exists(ctx, key)
	if err != nil {
		return 0, err
	}
	if stored {
		return verify(ctx, r, sha)
	}
	return b.upload(ctx, key, sha, r, -1)
}

// upload streams r to key through a verifier; size is -1 when unknown.
func (b *Bucket) upload(ctx context.Context, key, sha string, r io.Reader, size int64) (int64, error) {
	v := &verifier{ctx: ctx, r: r, h: sha256.New(), want: sha}
	if _, err := b.send(ctx, key, sha, v, size); err != nil {
		if v.mismatch != nil {
			return 0, v.mismatch
		}
		return 0, err
	}
	return v.n, nil
}

// send uploads r to key. A body known to fit one PUT carries the expected
// sha256 in place of the SDK's CRC32, so the server checks the whole blob
// against its name too; multipart uploads have no whole-object sha256.
func (b *Bucket) send(ctx context.Context, key, sha string, r io.Reader, size int64) (*transfermanager.UploadObjectOutput, error) {
	in := &transfermanager.UploadObjectInput{Bucket: &b.name, Key: &key, Body: r}
	if size >= 0 {
		in.ContentLength = aws.Int64(size) // picks a part size that fits S3's 10,000 parts
	}
	if size >= 0 && size < partSize {
		raw, _ := hex.DecodeString(sha)
		in.ChecksumSHA256 = aws.String(base64.StdEncoding.EncodeToString(raw))
		in.ChecksumAlgorithm = tmtypes.ChecksumAlgorithmSha256 // else the SDK announces CRC32 beside it
	}
	out, err := b.tm.UploadObject(ctx, in)
	if isCode(err, "BadDigest") {
		return nil, api.Errorf(api.ECHECKSUM, "the blob store found the content does not hash to %s", sha)
	}
	if err != nil {
		return nil, fmt.Errorf("upload blob: %w", err)
	}
	return out, nil
}

// PutFile implements blob.Bucket: the file is hashed while it uploads, or
// only hashed when the blob is already stored.
func (b *Bucket) PutFile(ctx context.Context, sha, path string) (int64, error) {
	st, err := b.openStaged(ctx, sha, path)
	if err != nil {
		return 0, err
	}
	defer st.f.Close()
	var n int64
	if st.stored {
		n, err = verify(ctx, st.f, sha)
	} else {
		n, err = b.upload(ctx, st.key, sha, st.f, st.size)
	}
	if err != nil {
		return 0, err
	}
	return n, os.Remove(path)
}

// AdoptFile implements blob.Bucket.
func (b *Bucket) AdoptFile(ctx context.Context, sha, path string) (int64, error) {
	st, err := b.openStaged(ctx, sha, path)
	if err != nil {
		return 0, err
	}
	defer st.f.Close()
	if !st.stored {
		if _, err := b.send(ctx, st.key, sha, st.f, st.size); err != nil {
			return 0, err
		}
	}
	return st.size, os.Remove(path)
}

// staged is a local file on its way to the blob key.
type staged struct {
	key    string
	f      *os.File
	size   int64
	stored bool // the blob is in the bucket already
}

func (b *Bucket) openStaged(ctx context.Context, sha, path string) (*staged, error) {
	key, err := b.key(sha)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open staged blob: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat staged blob: %w", err)
	}
	stored, err := b.exists(ctx, key)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &staged{key: key, f: f, size: fi.Size(), stored: stored}, nil
}

func (b *Bucket) exists(ctx context.Context, key string) (bool, error) {
	_, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.name, Key: &key})
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up blob: %w", err)
	}
	return true, nil
}

// Open implements blob.Bucket. The object's reads use ctx.
func (b *Bucket) Open(ctx context.Context, sha string) (blob.Object, error) {
	size, err := b.Stat(ctx, sha)
	if err != nil {
		return nil, err
	}
	return &object{ctx: ctx, b: b, key: b.Key(sha), size: size}, nil
}

// Stat implements blob.Bucket.
func (b *Bucket) Stat(ctx context.Context, sha string) (int64, error) {
	key, err := b.key(sha)
	if err != nil {
		return 0, err
	}
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.name, Key: &key})
	if isNotFound(err) {
		return 0, api.Errorf(api.ENOTFOUND, "blob %s not found", sha)
	}
	if err != nil {
		return 0, fmt.Errorf("stat blob: %w", err)
	}
	return aws.ToInt64(out.ContentLength), nil
}

// Delete implements blob.Bucket.
func (b *Bucket) Delete(ctx context.Context, sha string) error {
	key, err := b.key(sha)
	if err != nil {
		return err
	}
	_, err = b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.name, Key: &key})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete blob: %w", err)
	}
	return nil
}

// PresignGet returns a URL that downloads a blob without credentials for
// ttl. It does not check that the blob exists.
func (b *Bucket) PresignGet(ctx context.Context, sha string, ttl time.Duration) (string, error) {
	key, err := b.key(sha)
	if err != nil {
		return "", err
	}
	if ttl <= 0 || ttl > maxPresign {
		return "", api.FieldErrorf("ttl", "a presigned URL lives between 1s and %s, not %s", maxPresign, ttl)
	}
	req, err := s3.NewPresignClient(b.client).PresignGetObject(ctx,
		&s3.GetObjectInput{Bucket: &b.name, Key: &key}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign blob: %w", err)
	}
	return req.URL, nil
}

func isNotFound(err error) bool { return isCode(err, "NotFound") || isCode(err, "NoSuchKey") }

// isCode tells whether err is the S3 error code.
func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// verifier hashes what passes through it and, at the end, returns a
// checksum error in place of io.EOF when the digest is wrong, so the
// upload it feeds fails instead of completing. It also stops a read when
// ctx ends.
type verifier struct {
	ctx      context.Context
	r        io.Reader
	h        hash.Hash
	want     string
	n        int64
	mismatch error
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.mismatch != nil {
		return 0, v.mismatch
	}
	if err := v.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if err == io.EOF {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			v.mismatch = api.Errorf(api.ECHECKSUM, "content hashes to %s, not %s", got, v.want)
			return n, v.mismatch
		}
	}
	return n, err
}

// verify reads r to its end and checks that it hashes to sha.
func verify(ctx context.Context, r io.Reader, sha string) (int64, error) {
	v := &verifier{ctx: ctx, r: r, h: sha256.New(), want: sha}
	// Discard hidden behind a plain Writer, or it would read in 8 KB bites.
	n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, v, make([]byte, 256<<10))
	if v.mismatch != nil {
		return 0, v.mismatch
	}
	if err != nil {
		return 0, fmt.Errorf("hash blob: %w", err)
	}
	return n, nil
}

// object reads a blob through ranged GETs: a GET starts at the current
// offset on the first Read after Open or a Seek that moved, and streams
// until the object ends or the next moving Seek or Close.
type object struct {
	ctx  context.Context
	b    *Bucket
	key  string
	size int64
	pos  int64
	end  int64         // reads are expected to stop here; 0 for the object's end
	body io.ReadCloser // nil until a Read needs it
	stop int64         // where the open GET's range ends
}

var _ blob.Bounded = (*object)(nil)

// ReadUntil implements blob.Bounded: later GETs ask for bytes up to end
// only, so a reader stopping there leaves no transfer to cut off.
func (o *object) ReadUntil(end int64) {
	if end != o.end {
		o.closeBody()
		o.end = end
	}
}

func (o *object) Size() int64 { return o.size }

func (o *object) Read(p []byte) (int, error) {
	if o.pos >= o.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if o.body == nil {
		rng, stop := "bytes="+strconv.FormatInt(o.pos, 10)+"-", o.size
		if o.end > o.pos && o.end < o.size {
			rng, stop = rng+strconv.FormatInt(o.end-1, 10), o.end
		}
		out, err := o.b.client.GetObject(o.ctx, &s3.GetObjectInput{
			Bucket: &o.b.name,
			Key:    &o.key,
			Range:  aws.String(rng),
		})
		if isNotFound(err) {
			return 0, api.Errorf(api.ENOTFOUND, "blob deleted while being read")
		}
		if err != nil {
			return 0, fmt.Errorf("read blob: %w", err)
		}
		o.body, o.stop = out.Body, stop
	}
	n, err := o.body.Read(p)
	o.pos += int64(n)
	if err == io.EOF && o.pos == o.stop && o.stop < o.size {
		o.closeBody() // the bounded range is done; reading on starts another
		return n, nil
	}
	if err == io.EOF && o.pos < o.size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil && err != io.EOF {
		o.closeBody() // a later Read starts a new GET where this one broke
	}
	return n, err
}

func (o *object) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = o.pos + offset
	case io.SeekEnd:
		abs = o.size + offset
	default:
		return o.pos, fmt.Errorf("seek blob: bad whence %d", whence)
	}
	if abs < 0 {
		return o.pos, fmt.Errorf("seek blob: negative offset %d", abs)
	}
	if abs != o.pos {
		o.closeBody()
		o.pos = abs
	}
	return abs, nil
}

func (o *object) Close() error {
	o.closeBody()
	return nil
}

func (o *object) closeBody() {
	if o.body != nil {
		o.body.Close()
		o.body = nil
	}
}
