package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// BlobService implements api.BlobService and api.UploadService.
type BlobService struct{ *env }

var (
	_ api.BlobService   = (*BlobService)(nil)
	_ api.UploadService = (*BlobService)(nil)
)

// HasBlob implements api.BlobService.
func (s *BlobService) HasBlob(ctx context.Context, sha256 string) (bool, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return false, err
	}
	return s.st.OwnsBlob(ctx, c.Account.ID, sha256)
}

// BeginUpload implements api.UploadService.
func (s *BlobService) BeginUpload(ctx context.Context, u api.Upload, quota int64) error {
	u.CreatedAt = s.clock()
	return s.st.WithLightTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, u.AccountID); err != nil {
			return err
		}
		used, err := tx.UsedBytes(ctx, u.AccountID)
		if err != nil {
			return fmt.Errorf("quota: %w", err)
		}
		if quota > 0 && used+u.Size > quota {
			return api.Errorf(api.EQUOTA, "storage quota exceeded: %d of %d bytes used, upload needs %d", used, quota, u.Size)
		}
		return tx.InsertUpload(ctx, u)
	})
}

// UsedBytes implements api.UploadService.
func (s *BlobService) UsedBytes(ctx context.Context, accountID int64) (int64, error) {
	return s.st.UsedBytes(ctx, accountID)
}

// FindUpload implements api.UploadService.
func (s *BlobService) FindUpload(ctx context.Context, id string) (*api.Upload, error) {
	u, err := s.st.Upload(ctx, id)
	if err != nil {
		return nil, notFound(err, "upload not found")
	}
	return u, nil
}

// FinishUpload implements api.UploadService.
func (s *BlobService) FinishUpload(ctx context.Context, uploadID string, b api.Blob) error {
	return s.st.WithLightTx(ctx, func(tx store.Tx) error {
		accountID, err := tx.DeleteUpload(ctx, uploadID)
		if err != nil {
			return notFound(err, "upload not found")
		}
		return tx.OwnBlob(ctx, accountID, b, s.clock())
	})
}

// StoreBlob implements api.UploadService.
func (s *BlobService) StoreBlob(ctx context.Context, accountID int64, b api.Blob) error {
	return s.st.WithLightTx(ctx, func(tx store.Tx) error { return tx.OwnBlob(ctx, accountID, b, s.clock()) })
}

// AbortUpload implements api.UploadService.
func (s *BlobService) AbortUpload(ctx context.Context, uploadID string) error {
	return s.st.WithLightTx(ctx, func(tx store.Tx) error {
		_, err := tx.DeleteUpload(ctx, uploadID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
}

// StaleUploads implements api.UploadService.
func (s *BlobService) StaleUploads(ctx context.Context, before time.Time) ([]api.Upload, error) {
	return s.st.StaleUploads(ctx, before)
}

// FindBlob implements api.UploadService.
func (s *BlobService) FindBlob(ctx context.Context, sha256 string) (*api.Blob, error) {
	b, err := s.st.Blob(ctx, sha256)
	if err != nil {
		return nil, notFound(err, "blob %s not found", sha256)
	}
	return b, nil
}
