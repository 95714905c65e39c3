package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

const codesUsage = `usage:
  megabox-cli codes create --release ID --count N [--free|--percent P|--off CENTS] [--expires DATE] [--label TEXT] > codes.csv
  megabox-cli codes list --release ID
  megabox-cli codes revoke --release ID --batch ID`

// codes makes, lists and revokes a release's download and discount codes.
// A new batch's codes are printed once, as CSV: the platform keeps only
// their hashes.
func (m *Main) codes(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(m.Stderr, codesUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "create":
		return m.createCodes(ctx, args[1:])
	case "list":
		return m.listCodes(ctx, args[1:])
	case "revoke":
		return m.revokeCodes(ctx, args[1:])
	}
	fmt.Fprintln(m.Stderr, codesUsage)
	return fmt.Errorf("codes: unknown command %q", args[0])
}

func (m *Main) createCodes(ctx context.Context, args []string) error {
	fs := m.flags("codes create")
	release := fs.Int64("release", 0, "release id")
	count := fs.Int("count", 0, "how many codes")
	free := fs.Bool("free", false, "codes for the release at no cost")
	percent := fs.Int64("percent", 0, "percentage off the price, 1 to 100")
	off := fs.Int64("off", 0, "cents off the price")
	expires := fs.String("expires", "", "last day of validity (YYYY-MM-DD, UTC) or an RFC 3339 time")
	label := fs.String("label", "", "a note for yourself")
	if err := fs.Parse(args); err != nil {
		return err
	}
	in := api.CodeBatchCreate{Count: *count, Label: *label, PercentOff: *percent, OffCents: *off}
	switch {
	case *release <= 0:
		return errors.New("codes create: --release is required")
	case btoi(*free)+btoi(*percent != 0)+btoi(*off != 0) != 1:
		return errors.New("codes create: give one of --free, --percent or --off")
	case *free:
		in.Kind = api.CodeFree
	case *percent != 0:
		in.Kind = api.CodePercent
	default:
		in.Kind = api.CodeFixed
	}
	if *expires != "" {
		t, err := parseExpiry(*expires)
		if err != nil {
			return err
		}
		in.ExpiresAt = &t
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	b, err := c.CreateCodes(ctx, *release, in)
	if err != nil {
		return fmt.Errorf("codes create: %w", err)
	}
	if err := api.WriteCodesCSV(m.Stdout, b); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%d codes made (batch %d). Keep this file: the codes are not shown again.\n", len(b.Codes), b.Batch.ID)
	return nil
}

// parseExpiry reads a last day (valid through its end, UTC) or a time.
func parseExpiry(s string) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("codes create: --expires %q: use YYYY-MM-DD or an RFC 3339 time", s)
	}
	return t, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (m *Main) listCodes(ctx context.Context, args []string) error {
	fs := m.flags("codes list")
	release := fs.Int64("release", 0, "release id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *release <= 0 {
		return errors.New("codes list: --release is required")
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	bs, err := c.CodeBatches(ctx, *release)
	if err != nil {
		return fmt.Errorf("codes list: %w", err)
	}
	if len(bs) == 0 {
		fmt.Fprintln(m.Stdout, "No codes for this release yet.")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BATCH\tKIND\tREDEEMED\tEXPIRES\tSTATE\tLABEL")
	for _, b := range bs {
		state, exp := "active", "never"
		if b.RevokedAt != nil {
			state = "revoked"
		}
		if b.ExpiresAt != nil {
			exp = b.ExpiresAt.UTC().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%d\t%s\t%d/%d\t%s\t%s\t%s\n", b.ID, kindWords(b), b.Redeemed, b.Count, exp, state, b.Label)
	}
	return tw.Flush()
}

// kindWords says what a batch's codes give.
func kindWords(b api.CodeBatch) string {
	switch b.Kind {
	case api.CodePercent:
		return strconv.FormatInt(b.PercentOff, 10) + "% off"
	case api.CodeFixed:
		return strings.TrimSpace(api.FormatCents(b.OffCents, "")) + " off"
	}
	return "free"
}

func (m *Main) revokeCodes(ctx context.Context, args []string) error {
	fs := m.flags("codes revoke")
	release := fs.Int64("release", 0, "release id")
	batch := fs.Int64("batch", 0, "batch id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *release <= 0 || *batch <= 0 {
		return errors.New("codes revoke: --release and --batch are required")
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	b, err := c.RevokeCodeBatch(ctx, *release, *batch)
	if err != nil {
		return fmt.Errorf("codes revoke: %w", err)
	}
	fmt.Fprintf(m.Stdout, "Batch %d revoked: its %d unused codes no longer work.\n", b.ID, b.Count-b.Redeemed)
	return nil
}

// redeem redeems a code: a free code makes the release the fan's; a
// discount code says what the release costs with it.
func (m *Main) redeem(ctx context.Context, args []string) error {
	code := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		code, args = args[0], args[1:]
	}
	fs := m.flags("redeem")
	release := fs.Int64("release", 0, "the release you mean the code for (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if code == "" {
		code = fs.Arg(0)
	}
	if code == "" {
		return errors.New("redeem: name the code: megabox-cli redeem K7QM-P2XW-9D")
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	r, err := c.RedeemCode(ctx, api.CodeRedeem{Code: code, ReleaseID: *release})
	if err != nil {
		return fmt.Errorf("redeem: %w", err)
	}
	if r.Purchase != nil {
		fmt.Fprintf(m.Stdout, "%s by %s is yours (purchase %d). Run `megabox-cli library sync` to download it.\n", r.Title, r.ArtistName, r.Purchase.ID)
		return nil
	}
	fmt.Fprintf(m.Stdout, "With this code, %s by %s costs %s instead of %s: buy it in the app or on the web with the code.\n",
		r.Title, r.ArtistName, api.FormatCents(r.PayCents, r.Currency), api.FormatCents(r.PriceCents, r.Currency))
	return nil
}
