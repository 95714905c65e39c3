package api

import (
	"context"
	"time"
)

// ArchiveFile is one file of a purchase's zip: a stored blob, or bytes.
type ArchiveFile struct {
	Name   string
	SHA256 string // the blob's; "" for Data
	Size   int64
	Data   []byte
}

// Archive is a purchase as one download: its tracks in play order, the
// cover and the signed receipt.
type Archive struct {
	Name    string // the zip's file name
	ModTime time.Time
	Files   []ArchiveFile
}

// ArchiveService packs what a fan bought.
type ArchiveService interface {
	// PurchaseArchive lists the files of one of the caller's purchases;
	// ENOTFOUND for anyone else's or a refunded one.
	PurchaseArchive(ctx context.Context, purchaseID int64) (*Archive, error)
}
