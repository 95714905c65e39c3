package s3

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/megabox-fm/megabox/backend/api"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// maxCopy is the largest object one CopyObject can copy.
const maxCopy = 5 << 30

// AdoptObject makes the object at key, in this bucket and already verified
// by the caller, the blob sha: a copy inside the S3 server (the bytes
// never pass through this process), skipped when the blob is already
// stored. The object at key is left for the caller to delete.
func (b *Bucket) AdoptObject(ctx context.Context, sha, key string) (int64, error) {
	dst, err := b.key(sha)
	if err != nil {
		return 0, err
	}
	head, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.name, Key: &key})
	if err != nil {
		return 0, fmt.Errorf("finished upload: %w", err)
	}
	size := *head.ContentLength
	if size > maxCopy {
		return 0, fmt.Errorf("finished upload of %d bytes: over the %d bytes one copy can take", size, maxCopy)
	}
	if stored, err := b.exists(ctx, dst); err != nil || stored {
		return size, err
	}
	src := (&url.URL{Path: b.name + "/" + key}).EscapedPath()
	if _, err := b.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &b.name, Key: &dst, CopySource: &src}); err != nil {
		return 0, fmt.Errorf("store blob: %w", err)
	}
	return size, nil
}

// Prefix is the key prefix every object of the bucket's has: "" or ending
// in "/".
func (b *Bucket) Prefix() string { return b.prefix }

// PutOnce stores bytes the caller verified as the blob sha in a single
// PUT, which S3 checks against sha as a whole and refuses if the blob is
// stored already (If-None-Match), in one round trip. The request is
// signed without a payload hash: the sha256 checksum header, which the
// signature covers, binds the body, and S3 hashes it once instead of
// twice.
func (b *Bucket) PutOnce(ctx context.Context, sha string, f io.ReadSeeker, size int64) error {
	key, err := b.key(sha)
	if err != nil {
		return err
	}
	raw, _ := hex.DecodeString(sha)
	_, err = b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.name, Key: &key, Body: f, ContentLength: aws.Int64(size),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(raw)), ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		IfNoneMatch: aws.String("*")}, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	if isCode(err, "PreconditionFailed") {
		return nil // stored already, by an upload of the same bytes
	}
	if isCode(err, "BadDigest") {
		return api.Errorf(api.ECHECKSUM, "the blob store found the content does not hash to %s", sha)
	}
	if err != nil {
		return fmt.Errorf("store blob: %w", err)
	}
	return nil
}
