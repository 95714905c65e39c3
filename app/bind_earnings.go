package app

import (
	"os"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

// EarningsAPI is the creator's money and fans.
type EarningsAPI struct{ a *App }

// Earnings returns totals and rows grouped by month, release or track,
// falling back to the last snapshot (with its time) when offline.
func (x *EarningsAPI) Earnings(group string) (*EarningsView, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	if group != api.GroupMonth && group != api.GroupDay && group != api.GroupRelease && group != api.GroupTrack {
		return nil, invalid("group", "group by day, month, release or track")
	}
	v, err := x.a.earnings(group)
	return v, uiError(err)
}

// Fans returns supporters, or the last snapshot when offline.
func (x *EarningsAPI) Fans() (*FansView, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	v, err := x.a.fans()
	return v, uiError(err)
}

// Payouts lists payouts.
func (x *EarningsAPI) Payouts() ([]api.Payout, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	p, err := x.a.client.Payouts(x.a.ctx)
	return p, uiError(err)
}

// RequestPayout asks for a payout of the available balance.
func (x *EarningsAPI) RequestPayout(amountCents int64, currency string) (*api.Payout, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	p, err := x.a.client.RequestPayout(x.a.ctx, amountCents, currency)
	return p, uiError(err)
}

// PayoutAccount says how the creator is paid: with a provider that pays
// creators into their own accounts, whether theirs is set up.
func (x *EarningsAPI) PayoutAccount() (*api.PayoutAccount, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	p, err := x.a.client.PayoutAccount(x.a.ctx)
	return p, uiError(err)
}

// SetUpPayouts opens the payment provider's form for the creator's payout
// account in the system browser; the window asks PayoutAccount again when
// it is back. ECONFLICT: the platform has nothing to set up.
func (x *EarningsAPI) SetUpPayouts() error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	o, err := x.a.client.StartOnboarding(x.a.ctx, "")
	if err != nil {
		return uiError(err)
	}
	return uiError(x.a.openPage(o.URL))
}

// ExportEarningsCSV saves the earnings statement where the creator
// chooses; it returns the path, or "" if cancelled.
func (x *EarningsAPI) ExportEarningsCSV() (string, error) {
	if err := x.a.whenStarted(); err != nil {
		return "", err
	}
	return x.export("megabox-earnings.csv", func(f *os.File) error { return x.a.client.EarningsCSV(x.a.ctx, api.EarningsFilter{}, f) })
}

// ExportFansCSV saves the fans list as CSV.
func (x *EarningsAPI) ExportFansCSV() (string, error) {
	if err := x.a.whenStarted(); err != nil {
		return "", err
	}
	return x.export("megabox-fans.csv", func(f *os.File) error { return x.a.client.FansCSV(x.a.ctx, f) })
}

func (x *EarningsAPI) export(name string, write func(*os.File) error) (string, error) {
	path, err := runtime.SaveFileDialog(x.a.window(), runtime.SaveDialogOptions{DefaultFilename: name,
		Filters: []runtime.FileFilter{{DisplayName: "CSV", Pattern: "*.csv"}}})
	if err != nil || path == "" {
		return "", uiError(err)
	}
	return path, uiError(atomicfile.WriteWith(path, 0o644, write))
}
