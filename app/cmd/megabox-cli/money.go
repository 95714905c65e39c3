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
	yours := "90 %"
	if t.CreatorCents != t.GrossCents-t.PlatformCents { // releases shared with collaborators
		yours = "your share of the artists' 90 %"
	}
	fmt.Fprintf(m.Stdout, "%d sales: fans paid %s, you got %s (%s), Megabox %s (10 %%)\n", t.Sales,
		api.FormatCents(t.GrossCents, cur), api.FormatCents(t.CreatorCents, cur), yours, api.FormatCents(t.PlatformCents, cur))
	if t.DisputedCents > 0 {
		fmt.Fprintf(m.Stdout, "disputed %s: frozen until the fans' banks decide\n", api.FormatCents(t.DisputedCents, cur))
	}
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

// payouts says how the creator gets paid; "setup" prints the link to set
// up their payout account at the payment provider.
func (m *Main) payouts(ctx context.Context, args []string) error {
	fs := m.flags("payouts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	if fs.Arg(0) == "setup" {
		o, err := c.StartOnboarding(ctx, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "Open this link in a browser to set up your payout account (it works for a few minutes):\n%s\n", o.URL)
		return nil
	} else if fs.NArg() > 0 {
		return fmt.Errorf("payouts: unknown command %q (try \"setup\")", fs.Arg(0))
	}
	a, err := c.PayoutAccount(ctx)
	if err != nil {
		return err
	}
	switch {
	case a.Provider == "sandbox":
		fmt.Fprintln(m.Stdout, "This platform takes test payments (sandbox): there is no payout account to set up.")
	case a.NeedsOnboarding:
		fmt.Fprintln(m.Stdout, "Your payout account is not set up yet, so your releases cannot be bought: run megabox-cli payouts setup.")
	default:
		fmt.Fprintln(m.Stdout, "Your payout account takes payments: your share of each sale is paid into it as it happens.")
	}
	return nil
}
