package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

// earnings prints the creator's totals, or saves the full statement as CSV.
func (m *Main) earnings(ctx context.Context, args []string) error {
	fs := m.flags("earnings")
	csvPath := fs.String("csv", "", "save every sale, refund and payout line to this CSV file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	if *csvPath != "" {
		return atomicfile.WriteWith(*csvPath, 0o644, func(f *os.File) error { return c.EarningsCSV(ctx, api.EarningsFilter{}, f) })
	}
	e, err := c.Earnings(ctx, api.EarningsFilter{Group: api.GroupRelease})
	if err != nil {
		return err
	}
	t, cur := e.Totals, e.Currency
	fmt.Fprintf(m.Stdout, "%d sales: fans paid %s, you got %s (90 %%), Megabox %s (10 %%)\n", t.Sales,
		api.FormatCents(t.GrossCents, cur), api.FormatCents(t.CreatorCents, cur), api.FormatCents(t.PlatformCents, cur))
	fmt.Fprintf(m.Stdout, "refunded %s, paid out %s, pending %s, available %s\n", api.FormatCents(t.RefundedCents, cur),
		api.FormatCents(t.PaidOutCents, cur), api.FormatCents(t.PendingPayoutCents, cur), api.FormatCents(t.AvailableCents, cur))
	for _, r := range e.Rows {
		fmt.Fprintf(m.Stdout, "  %-32s %4d sales  %12s\n", r.ReleaseTitle, r.Sales, api.FormatCents(r.CreatorCents, cur))
	}
	return nil
}

// fans saves the creator's fans as CSV.
func (m *Main) fans(ctx context.Context, args []string) error {
	fs := m.flags("fans")
	csvPath := fs.String("csv", "", "CSV file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *csvPath == "" {
		return errors.New("fans: name the file with --csv")
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	return atomicfile.WriteWith(*csvPath, 0o644, func(f *os.File) error { return c.FansCSV(ctx, f) })
}
