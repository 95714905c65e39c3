package postgres_test

import (
	"testing"

	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/storetest"
)

// TestConformance runs the suite every store passes, each test on a
// database of its own.
func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		db, _ := mustOpen(t)
		return db
	})
}
