package api

import (
	"context"
	"regexp"
	"time"
)

// Media types the platform recognises in uploaded blobs.
const (
	MediaMP3     = "audio/mpeg"
	MediaFLAC    = "audio/flac"
	MediaJPEG    = "image/jpeg"
	MediaPNG     = "image/png"
	MediaPDF     = "application/pdf"
	MediaZIP     = "application/zip"
	MediaText    = "text/plain; charset=utf-8"
	MediaUnknown = "application/octet-stream"
)

// Blob is an uploaded file, named by the sha256 of its bytes.
type Blob struct {
	SHA256     string `json:"sha256"`
	Size       int64  `json:"size"`
	MediaType  string `json:"media_type"`
	DurationMS int64  `json:"duration_ms,omitempty"`
	// SampleRate, BitDepth and Channels are set for lossless audio.
	SampleRate int       `json:"sample_rate,omitempty"`
	BitDepth   int       `json:"bit_depth,omitempty"`
	Channels   int       `json:"channels,omitempty"`
	Width      int       `json:"width,omitempty"`
	Height     int       `json:"height,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Upload is a tus upload in progress.
type Upload struct {
	ID        string
	AccountID int64
	SHA256    string
	Size      int64
	Filename  string
	CreatedAt time.Time
}

// BlobService records who owns which blob. The bytes themselves live in a
// bucket; see package blob.
type BlobService interface {
	// HasBlob reports whether the caller owns the blob.
	HasBlob(ctx context.Context, sha256 string) (bool, error)
}

// UploadService tracks tus uploads on the server. Its methods take the
// account explicitly because tus hooks run outside ordinary handlers.
type UploadService interface {
	// BeginUpload records a new upload after checking the size against the
	// account's quota. EQUOTA when it does not fit.
	BeginUpload(ctx context.Context, u Upload, quota int64) error
	// FindUpload returns an upload. ENOTFOUND for an unknown id.
	FindUpload(ctx context.Context, id string) (*Upload, error)
	// FinishUpload records the verified blob, gives the account ownership of
	// it and forgets the upload, in one transaction. ENOTFOUND for an
	// unknown id.
	FinishUpload(ctx context.Context, uploadID string, b Blob) error
	// StoreBlob records a verified blob that arrived whole in the request
	// that began its upload (so no upload was recorded) and gives the
	// account ownership of it, in one transaction. The caller checked the
	// quota when the request began.
	StoreBlob(ctx context.Context, accountID int64, b Blob) error
	// UsedBytes is what an account stores plus what it is uploading, as
	// the quota counts it.
	UsedBytes(ctx context.Context, accountID int64) (int64, error)
	// AbortUpload forgets an upload.
	AbortUpload(ctx context.Context, uploadID string) error
	// FindBlob returns a stored blob's metadata. ENOTFOUND if unknown.
	FindBlob(ctx context.Context, sha256 string) (*Blob, error)
	// StaleUploads lists uploads begun before a time and never finished.
	StaleUploads(ctx context.Context, before time.Time) ([]Upload, error)
}

var sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidSHA256 reports whether s is a lowercase hex sha256 digest.
func ValidSHA256(s string) bool { return sha256Pattern.MatchString(s) }
