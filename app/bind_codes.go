package app

import (
	"bytes"
	"log/slog"
	"os"
	"strconv"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/atomicfile"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// devSavePath is the environment variable a dev build reads to answer its
// own save dialogs with a path, for the browser tests that cannot click a
// native dialog; release builds never read it.
const devSavePath = "MEGABOX_DEV_SAVE_PATH"

// CodesAPI is download and discount codes: fans redeem them, creators
// make, list and revoke batches of them for their releases.
type CodesAPI struct{ a *App }

// CodeRelease is one of the creator's published releases, which codes
// may be made for.
type CodeRelease struct {
	ID             int64  `json:"id"`
	Title          string `json:"title"`
	Currency       string `json:"currency"`
	PriceCents     int64  `json:"price_cents"`
	PayWhatYouWant bool   `json:"pay_what_you_want"`
	MinCents       int64  `json:"min_cents"`
}

// Redeem redeems a code: a free code's release is the fan's at once (the
// library brings it in); a discount code answers the price it gives, to
// pay in a checkout that names the code.
func (x *CodesAPI) Redeem(code string) (*api.Redemption, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	if len(code) > 64 {
		return nil, invalid("code", "a code has 10 letters and digits")
	}
	r, err := x.a.client.RedeemCode(x.a.ctx, api.CodeRedeem{Code: code})
	if err == nil && r.Purchase != nil {
		x.a.library.Request()
	}
	return r, uiError(err)
}

// Releases lists the creator's published releases.
func (x *CodesAPI) Releases() ([]CodeRelease, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	page, err := x.a.client.MyReleases(x.a.ctx, api.MaxPageSize, "")
	if err != nil {
		return nil, uiError(err)
	}
	out := []CodeRelease{}
	for _, r := range page.Items {
		if r.State == api.StatePublished {
			out = append(out, CodeRelease{ID: r.ID, Title: r.Title, Currency: r.Currency, PriceCents: r.PriceCents,
				PayWhatYouWant: r.PayWhatYouWant, MinCents: r.MinCents})
		}
	}
	return out, nil
}

// Batches lists a release's batches of codes, newest first.
func (x *CodesAPI) Batches(releaseID int64) ([]api.CodeBatch, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	bs, err := x.a.client.CodeBatches(x.a.ctx, releaseID)
	if bs == nil {
		bs = []api.CodeBatch{}
	}
	return bs, uiError(err)
}

// CreateBatch makes a batch of codes for one of the creator's releases.
// The answer holds the codes: the only time the platform gives them.
func (x *CodesAPI) CreateBatch(releaseID int64, in api.CodeBatchCreate) (*api.CodeBatchCreated, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	b, err := x.a.client.CreateCodes(x.a.ctx, releaseID, in)
	return b, uiError(err)
}

// RevokeBatch withdraws a batch's codes not redeemed yet.
func (x *CodesAPI) RevokeBatch(releaseID, batchID int64) (*api.CodeBatch, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	b, err := x.a.client.RevokeCodeBatch(x.a.ctx, releaseID, batchID)
	return b, uiError(err)
}

// SaveBatchCSV saves a new batch's codes as CSV where the creator
// chooses; it returns the path, or "" if cancelled.
func (x *CodesAPI) SaveBatchCSV(b api.CodeBatchCreated, title string) (string, error) {
	if err := x.a.whenStarted(); err != nil {
		return "", err
	}
	name := "megabox-codes-" + strconv.FormatInt(b.Batch.ID, 10) + ".csv"
	path, err := x.savePath(name, title)
	if err != nil || path == "" {
		return "", uiError(err)
	}
	return path, uiError(writeCodesCSV(path, &b))
}

// savePath asks where to save a file, the dialog titled in the user's
// language by the window (a dev build may be told by devSavePath).
func (x *CodesAPI) savePath(name, title string) (string, error) {
	if p := os.Getenv(devSavePath); devBuild && p != "" {
		slog.Info("save dialog answered by "+devSavePath, "path", p)
		return p, nil
	}
	return runtime.SaveFileDialog(x.a.window(), runtime.SaveDialogOptions{Title: title, DefaultFilename: name,
		Filters: []runtime.FileFilter{{DisplayName: "CSV", Pattern: "*.csv"}}})
}

// writeCodesCSV writes a batch's codes to path, whole or not at all. The
// codes come back from the window, so each must be one.
func writeCodesCSV(path string, b *api.CodeBatchCreated) error {
	if len(b.Codes) == 0 || len(b.Codes) > api.MaxCodesPerBatch {
		return &api.Error{Code: api.EINVALID, Field: "codes", Message: "a batch has between 1 and " + strconv.Itoa(api.MaxCodesPerBatch) + " codes"}
	}
	for _, c := range b.Codes {
		if _, ok := api.NormalizeCode(c); !ok {
			return &api.Error{Code: api.EINVALID, Field: "codes", Message: "not a code: " + strconv.Quote(c)}
		}
	}
	var buf bytes.Buffer
	if err := api.WriteCodesCSV(&buf, b); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes(), 0o600) // codes are as good as money: the creator's eyes only
}
