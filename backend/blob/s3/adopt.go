package s3

import (
	"context"
	"fmt"
	"net/url"

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
