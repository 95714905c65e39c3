package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

const accountUsage = `usage:
  megabox-cli account export > me.zip   everything Megabox holds about you, as a zip of JSON
  megabox-cli account delete [--yes]    delete your account (asks for your password; --yes skips typing DELETE)`

// account downloads the signed-in account's data or deletes the account.
func (m *Main) account(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(m.Stderr, accountUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "export":
		return m.exportAccount(ctx, args[1:])
	case "delete":
		return m.deleteAccount(ctx, args[1:])
	}
	fmt.Fprintln(m.Stderr, accountUsage)
	return fmt.Errorf("account: unknown command %q", args[0])
}

func (m *Main) exportAccount(ctx context.Context, args []string) error {
	fs := m.flags("account export")
	out := fs.String("out", "", "write the zip to this file instead of standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" && m.terminal() {
		return errors.New("account export: the zip is binary: redirect it to a file (megabox-cli account export > me.zip) or use --out FILE")
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	if *out == "" {
		if err := c.ExportData(ctx, m.Stdout); err != nil {
			return fmt.Errorf("account export: %w", err)
		}
		return nil
	}
	// Whole or not at all: a failed download never leaves a partial zip
	// under the name.
	err = atomicfile.WriteWith(*out, 0o600, func(f *os.File) error { return c.ExportData(ctx, f) })
	if err != nil {
		return fmt.Errorf("account export: %w", err)
	}
	fmt.Fprintf(m.Stderr, "Saved your data to %s.\n", *out)
	return nil
}

func (m *Main) deleteAccount(ctx context.Context, args []string) error {
	fs := m.flags("account delete")
	yes := fs.Bool("yes", false, "do not ask to type DELETE (for scripts)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	confirm := api.DeleteWord
	if !*yes {
		fmt.Fprintf(m.Stderr, "This deletes your account for good: you can no longer sign in, and your purchases stay only as anonymous sales.\nType %s to go on: ", api.DeleteWord)
		if confirm, err = readLine(m.Stdin); err != nil {
			return errors.New("account delete: not confirmed")
		}
		if confirm != api.DeleteWord {
			return fmt.Errorf("account delete: not confirmed (type %s in capitals, or pass --yes)", api.DeleteWord)
		}
	}
	password, err := m.password()
	if err != nil {
		return errors.New("account delete: no password given (set MEGABOX_PASSWORD or type it)")
	}
	if err := c.DeleteAccount(ctx, api.AccountDeletion{Password: password, Confirm: confirm}); err != nil {
		return fmt.Errorf("account delete: %w", err)
	}
	if err := m.store().Clear(); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "Your account is deleted. Signed out.")
	return nil
}

// readLine reads one line a byte at a time, so what follows it (the
// password, when both come on standard input) stays unread.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	one := make([]byte, 1)
	for {
		n, err := r.Read(one)
		if n == 1 {
			if one[0] == '\n' {
				return strings.TrimRight(b.String(), "\r"), nil
			}
			b.WriteByte(one[0])
		}
		if err != nil {
			if b.Len() > 0 && errors.Is(err, io.EOF) {
				return b.String(), nil
			}
			return "", err
		}
	}
}
