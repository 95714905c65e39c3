package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/megabox-fm/megabox/backend/platform"
)

// migrate brings the database to the newest schema and exits. The server
// also migrates when it opens the database; this lets an operator do it
// as its own step, before starting new versions of several nodes.
func (m *Main) migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("megaboxd migrate", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	data := fs.String("data", envOr("MEGABOX_DATA", platform.DefaultDataDir()), "data directory (env MEGABOX_DATA)")
	database := fs.String("database", os.Getenv("MEGABOX_DATABASE"), "PostgreSQL URL (env MEGABOX_DATABASE; default: SQLite in the data directory)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("migrate: unexpected argument %q", fs.Arg(0))
	}
	migrate := func() (int64, int64, error) { return platform.Migrate(ctx, *data) }
	if *database != "" {
		migrate = func() (int64, int64, error) { return platform.MigrateDatabase(ctx, *database) }
	}
	from, to, err := migrate()
	if err != nil {
		return err
	}
	if from == to {
		fmt.Fprintf(m.Stdout, "database schema at version %d: nothing to migrate\n", to)
	} else {
		fmt.Fprintf(m.Stdout, "database schema migrated from version %d to %d\n", from, to)
	}
	return nil
}
