package http

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	"github.com/tus/tusd/v2/pkg/filestore"
	tus "github.com/tus/tusd/v2/pkg/handler"
)

// wholeFile is an upload whose bytes come in the request that creates it
// and that this process holds in memory (see reservations). Only its
// bytes touch the disk: tus's file store would also write an info file
// for it, a second file created (and deleted) per upload. If its request
// ends before the last byte, the info file is written then, and the
// upload becomes an ordinary file-store upload the client can resume.
type wholeFile struct {
	info tus.FileInfo
}

func newWholeFile(dir string, info tus.FileInfo) (*wholeFile, error) {
	bin := filepath.Join(dir, info.ID)
	info.Storage = map[string]string{
		"Type":                       "filestore",
		filestore.StorageKeyPath:     bin,
		filestore.StorageKeyInfoPath: bin + ".info",
	}
	f, err := os.OpenFile(bin, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o664)
	if err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return &wholeFile{info: info}, nil
}

func (w *wholeFile) bin() string { return w.info.Storage[filestore.StorageKeyPath] }

// WriteChunk implements tus.Upload.
func (w *wholeFile) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	f, err := os.OpenFile(w.bin(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// GetInfo implements tus.Upload; the offset is what the file holds.
func (w *wholeFile) GetInfo(ctx context.Context) (tus.FileInfo, error) {
	fi, err := os.Stat(w.bin())
	if err != nil {
		return tus.FileInfo{}, err
	}
	info := w.info
	info.Offset = fi.Size()
	return info, nil
}

// GetReader implements tus.Upload.
func (w *wholeFile) GetReader(ctx context.Context) (io.ReadCloser, error) { return os.Open(w.bin()) }

// FinishUpload implements tus.Upload.
func (w *wholeFile) FinishUpload(ctx context.Context) error { return nil }

// Terminate implements tus.TerminatableUpload.
func (w *wholeFile) Terminate(ctx context.Context) error {
	err := os.Remove(w.bin())
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

// persist writes the info file tus's file store reads uploads from.
func (w *wholeFile) persist() error {
	data, err := json.Marshal(w.info)
	if err != nil {
		return err
	}
	return os.WriteFile(w.info.Storage[filestore.StorageKeyInfoPath], data, 0o664)
}
