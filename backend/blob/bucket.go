// Package blob defines where uploaded bytes live: a Bucket of immutable
// objects named by the sha256 of their content. disk is the embedded
// default; any other implementation must pass blobtest.
package blob

import (
	"context"
	"io"
)

// Object is an open blob: seekable so downloads can serve byte ranges.
type Object interface {
	io.ReadSeekCloser
	Size() int64
}

// Bounded is an Object told that reads stop at end: a bucket fetching
// over the network then asks for no more. Reading past end still works.
type Bounded interface {
	ReadUntil(end int64)
}

// Bucket stores content-addressed blobs. Names are lowercase hex sha256
// digests; any other name is rejected with api.EINVALID before it can
// reach storage.
type Bucket interface {
	// Put stores the bytes of r under sha256. api.ECHECKSUM if the bytes
	// hash to something else, in which case nothing is stored.
	Put(ctx context.Context, sha256 string, r io.Reader) (int64, error)
	// PutFile moves a local file into the bucket under sha256, verifying
	// it first. The file is consumed on success (moved or removed as a
	// duplicate) and left in place on error.
	PutFile(ctx context.Context, sha256, path string) (int64, error)
	// AdoptFile is PutFile for a file whose digest the caller computed
	// while receiving it: it is moved in without being read again.
	AdoptFile(ctx context.Context, sha256, path string) (int64, error)
	// Open opens a blob for reading. api.ENOTFOUND if it is absent.
	Open(ctx context.Context, sha256 string) (Object, error)
	// Stat returns a blob's size. api.ENOTFOUND if it is absent.
	Stat(ctx context.Context, sha256 string) (int64, error)
	// Delete removes a blob; deleting an absent blob is not an error.
	Delete(ctx context.Context, sha256 string) error
}
