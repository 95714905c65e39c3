package disk_test

import (
	"testing"

	"github.com/megabox-fm/megabox/backend/blob"
	"github.com/megabox-fm/megabox/backend/blob/blobtest"
	"github.com/megabox-fm/megabox/backend/blob/disk"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) (blob.Bucket, string) {
		dir := t.TempDir()
		b, err := disk.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		return b, t.TempDir()
	})
}
