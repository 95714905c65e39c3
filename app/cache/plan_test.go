package cache

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// plan returns SQLite's query plan for q, one step per line.
func plan(t *testing.T, c *Cache, q string, args ...any) string {
	t.Helper()
	rows, err := c.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(steps, "\n")
}

// TestPerFileQueriesUseTheirIndex checks the plan of every query a pass
// runs per file or per folder: each searches its index, none scans the
// files table or sorts, both with fresh statistics and with statistics
// that make the wrong index look best.
func TestPerFileQueriesUseTheirIndex(t *testing.T) {
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.AddRoot(ctx, "/music")
	if err != nil {
		t.Fatal(err)
	}
	// Many files in few folders, all of one size: what misled the planner.
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		for i := range 2000 {
			f := File{RootID: r.ID, Rel: fmt.Sprintf("R%d/%04d.mp3", i%4, i), Dir: fmt.Sprintf("R%d", i%4), Size: 1000, MtimeNS: int64(i), Inode: uint64(i), SHA256: "ab", State: "synced"}
			if _, err := tx.ExecContext(ctx, qPutFile, fileArgs(f)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	queries := []struct {
		name, q string
		args    []any
		want    string
	}{
		{"File", qFile, []any{r.ID, "R1/0001.mp3"}, "USING INDEX files_rel (root_id=? AND rel=?)"},
		{"FilesIn", qFilesIn, []any{r.ID, "R1"}, "USING PRIMARY KEY (root_id=? AND dir=?)"},
		{"FilesIn whole root", qFilesOf, []any{r.ID}, "USING PRIMARY KEY (root_id=?)"},
		{"SetFileState", qFileState, []any{"synced", "", 1, r.ID, "R1/0001.mp3"}, "USING INDEX files_rel (root_id=? AND rel=?)"},
		{"DeleteFiles", qFileGone, []any{r.ID, "R1/0001.mp3"}, "USING INDEX files_rel (root_id=? AND rel=?)"},
		{"FileByStat", qFileStat, []any{r.ID, 1000, 5, 5}, "USING INDEX files_stat (root_id=? AND size=? AND mtime_ns=? AND inode=?)"},
	}
	check := func(stats string) {
		for _, q := range queries {
			got := plan(t, c, q.q, q.args...)
			if !strings.Contains(got, "SEARCH files "+q.want) || strings.Contains(got, "SCAN") || strings.Contains(got, "TEMP B-TREE") {
				t.Errorf("%s with %s: plan\n%s\nwant SEARCH files %s, no SCAN, no sort", q.name, stats, got, q.want)
			}
		}
	}
	check("no statistics")
	if _, err := c.db.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	check("fresh statistics")
	// Statistics claiming each folder holds every file and each stat
	// matches thousands, so the table's key and files_stat look useless.
	if _, err := c.db.ExecContext(ctx, `UPDATE sqlite_stat1 SET stat = '1000000 1000000 1000000 1' WHERE tbl = 'files' AND idx != 'files_rel';
		UPDATE sqlite_stat1 SET stat = '1000000 1000000 1' WHERE idx = 'files_rel'; ANALYZE sqlite_schema`); err != nil {
		t.Fatal(err)
	}
	check("misleading statistics")
}
