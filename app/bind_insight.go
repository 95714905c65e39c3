package app

import (
	"log/slog"
	"os"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

// InsightAPI is how a creator's releases were heard and bought: plays,
// previews, sales and where buyers pay from, per day.
type InsightAPI struct{ a *App }

// InsightRelease is one of the creator's releases to choose from.
type InsightRelease struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// Releases lists the creator's releases, newest first.
func (x *InsightAPI) Releases() ([]InsightRelease, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	page, err := x.a.client.MyReleases(x.a.ctx, api.MaxPageSize, "")
	if err != nil {
		return nil, uiError(err)
	}
	out := []InsightRelease{}
	for _, r := range page.Items {
		out = append(out, InsightRelease{ID: r.ID, Title: r.Title})
	}
	return out, nil
}

// Insight reads the days [from, to) ("YYYY-MM-DD"; "" for the last 30
// days up to today) of one release, or of all with 0.
func (x *InsightAPI) Insight(from, to string, releaseID int64) (*api.Insight, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	f, err := insightFilter(from, to, releaseID)
	if err != nil {
		return nil, err
	}
	in, err := x.a.client.Insight(x.a.ctx, f)
	return in, uiError(err)
}

// ExportCSV saves the same days as CSV where the creator chooses; it
// returns the path, or "" if cancelled.
func (x *InsightAPI) ExportCSV(from, to string, releaseID int64) (string, error) {
	if err := x.a.whenStarted(); err != nil {
		return "", err
	}
	f, err := insightFilter(from, to, releaseID)
	if err != nil {
		return "", err
	}
	path, err := x.savePath("megabox-insight.csv")
	if err != nil || path == "" {
		return "", uiError(err)
	}
	return path, uiError(atomicfile.WriteWith(path, 0o644, func(w *os.File) error { return x.a.client.InsightCSV(x.a.ctx, f, w) }))
}

// savePath asks where to save a file (a dev build may be told by
// devSavePath).
func (x *InsightAPI) savePath(name string) (string, error) {
	if p := os.Getenv(devSavePath); devBuild && p != "" {
		slog.Info("save dialog answered by "+devSavePath, "path", p)
		return p, nil
	}
	return runtime.SaveFileDialog(x.a.window(), runtime.SaveDialogOptions{DefaultFilename: name,
		Filters: []runtime.FileFilter{{DisplayName: "CSV", Pattern: "*.csv"}}})
}

// insightFilter reads the window's period.
func insightFilter(from, to string, releaseID int64) (api.InsightFilter, error) {
	f := api.InsightFilter{ReleaseID: releaseID}
	var err error
	if from != "" {
		if f.From, err = time.Parse(time.DateOnly, from); err != nil {
			return f, invalid("from", "a day is YYYY-MM-DD")
		}
	}
	if to != "" {
		if f.To, err = time.Parse(time.DateOnly, to); err != nil {
			return f, invalid("to", "a day is YYYY-MM-DD")
		}
	}
	return f, nil
}
