package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/platform"
)

const adminUsage = `usage: megaboxd admin [--data DIR] [--database URL] [--blobs URL] COMMAND
commands:
  refund PURCHASE_ID AMOUNT_CENTS   refund part or all of any purchase
  pay-payout PAYOUT_ID              mark a pending payout as paid
  rotate-receipt-key                sign new receipts with a fresh key
  check                             verify the database and that the ledger balances
  reconcile --since YYYY-MM-DD      compare the ledger with the payment provider's balance
                                    (Stripe: MEGABOX_STRIPE_SECRET_KEY and MEGABOX_STRIPE_WEBHOOK_SECRET)`

// admin runs an operator command against the platform's database: the
// data directory's SQLite, or the PostgreSQL database several servers
// share. It works while servers run: the database serialises the writes.
func (m *Main) admin(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("megaboxd admin", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() { fmt.Fprintln(m.Stderr, adminUsage) }
	data := fs.String("data", envOr("MEGABOX_DATA", platform.DefaultDataDir()), "data directory (env MEGABOX_DATA)")
	cfg := platform.DefaultConfig
	fs.StringVar(&cfg.Database, "database", os.Getenv("MEGABOX_DATABASE"), "PostgreSQL URL (env MEGABOX_DATABASE; default: SQLite in the data directory)")
	fs.StringVar(&cfg.Blobs, "blobs", os.Getenv("MEGABOX_BLOBS"), "S3 bucket URL (env MEGABOX_BLOBS; default: files in the data directory)")
	var pay paymentFlags
	pay.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if cfg.Payments, err = pay.provider(); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("admin: name a command")
	}
	p, err := platform.Open(ctx, *data, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer p.Close()
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	if cmd == "reconcile" {
		return m.reconcile(ctx, p, rest)
	}
	ids, err := parseIDs(rest)
	if err != nil {
		return err
	}
	switch {
	case cmd == "refund" && len(ids) == 2:
		r, err := p.Purchases.AdminRefund(ctx, ids[0], ids[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "refund %d: %s back to the fan (%s from the artist, %s from Megabox)\n", r.ID,
			api.FormatCents(r.AmountCents, r.Currency), api.FormatCents(r.CreatorCents, r.Currency), api.FormatCents(r.PlatformCents, r.Currency))
	case cmd == "pay-payout" && len(ids) == 1:
		if err := p.Earnings.MarkPayoutPaid(ctx, ids[0]); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "payout %d marked paid\n", ids[0])
	case cmd == "rotate-receipt-key" && len(ids) == 0:
		kid, err := p.Receipts.RotateReceiptKey(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "new receipts are signed with %s; earlier keys stay published\n", kid)
	case cmd == "check" && len(ids) == 0:
		return m.check(ctx, p, m.Stdout)
	default:
		fs.Usage()
		return fmt.Errorf("admin: bad command %q with %d arguments", cmd, len(rest))
	}
	return nil
}

// reconcile prints every difference between the ledger and the payment
// provider's balance since a day; any difference is an error.
func (m *Main) reconcile(ctx context.Context, p *platform.Platform, args []string) error {
	fs := flag.NewFlagSet("megaboxd admin reconcile", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	since := fs.String("since", "", "first day to compare, YYYY-MM-DD (UTC)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	day, err := time.Parse(time.DateOnly, *since)
	if err != nil || fs.NArg() > 0 {
		return fmt.Errorf("reconcile: --since must be a day, YYYY-MM-DD")
	}
	r, err := p.Purchases.Reconcile(ctx, day)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	for _, d := range r.Differences {
		fmt.Fprintln(m.Stdout, d)
	}
	if len(r.Differences) > 0 {
		return fmt.Errorf("reconcile: %d differences in %d sales and %d refunds since %s", len(r.Differences), r.Sales, r.Refunds, *since)
	}
	fmt.Fprintf(m.Stdout, "ledger and provider agree: %d sales and %d refunds since %s\n", r.Sales, r.Refunds, *since)
	return nil
}

func (m *Main) check(ctx context.Context, p *platform.Platform, w io.Writer) error {
	res, err := integrity(ctx, p)
	if err != nil {
		return err
	}
	sums, unbalanced, err := p.Store.LedgerCheck(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "database: %s\nledger: %d unbalanced transactions, sums by currency %v\n", res, unbalanced, sums)
	for _, s := range sums {
		if s != 0 {
			unbalanced++
		}
	}
	if res != "ok" || unbalanced != 0 {
		return fmt.Errorf("check failed")
	}
	return nil
}

// integrity is SQLite's own check of its file, or for PostgreSQL (which
// checks its pages itself) whether it answers.
func integrity(ctx context.Context, p *platform.Platform) (string, error) {
	if p.DB != nil {
		return p.DB.IntegrityCheck(ctx)
	}
	if err := p.Store.Ping(ctx); err != nil {
		return "", err
	}
	return "ok", nil
}

func parseIDs(args []string) ([]int64, error) {
	var out []int64
	for _, a := range args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("admin: %q is not a positive number", a)
		}
		out = append(out, n)
	}
	return out, nil
}
