// Command megabox-cli is Megabox for creators on servers, NAS boxes and
// scripts: sign in, sync release folders, see their state, publish.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `megabox-cli — publish music from folders to Megabox

usage:
  megabox-cli login --server URL --email EMAIL   sign in (password from a prompt or MEGABOX_PASSWORD)
  megabox-cli logout
  megabox-cli sync [--once] [--parallel N] [--limit KBPS] FOLDER...
                                                  watch folders, each subfolder a release
  megabox-cli status                              watched folders, releases, files needing attention
  megabox-cli publish FOLDER                      publish a release folder
  megabox-cli library sync|ls|check [--dir DIR]   mirror, list or verify what you bought (ls, check: offline)
  megabox-cli play ARTIST/ALBUM[/TRACK]           play from your library, offline too
  megabox-cli earnings [--csv FILE]               your 90/10 totals, or every line as CSV
  megabox-cli fans --csv FILE                     your fans as CSV
  megabox-cli payouts [setup]                     how you get paid; setup links to your payout account
  megabox-cli codes create|list|revoke --release ID ...
                                                  download and discount codes (create prints them once, as CSV)
  megabox-cli redeem CODE                         redeem a download or discount code
  megabox-cli announce --title T --body-file F [--to followers|buyers|release:ID,...|me] [--release ID]
                                                  publish news to your page, feed and fans' apps; email who opted in
  megabox-cli account export > me.zip             everything Megabox holds about you, as a zip of JSON
  megabox-cli account delete [--yes]              delete your account (asks for your password)

Local state lives in MEGABOX_HOME (default: the user's config dir).`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Keyring: os.Getenv("MEGABOX_NO_KEYRING") == ""}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "megabox-cli:", err)
		}
		os.Exit(exitCode(err))
	}
}

// Main is the program, apart from process globals so tests can run it.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Keyring        bool
	// IsTerminal forces progress bars on or off; nil asks the OS.
	IsTerminal *bool
}

// errFailed reports that some files could not be synced.
var errFailed = errors.New("some files could not be synced")

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// Run runs one command.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(m.Stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "login":
		return m.login(ctx, rest)
	case "logout":
		return m.logout(ctx)
	case "sync":
		return m.sync(ctx, rest)
	case "status":
		return m.status(ctx)
	case "publish":
		return m.publish(ctx, rest)
	case "library":
		return m.library(ctx, rest)
	case "play":
		return m.play(ctx, rest)
	case "earnings":
		return m.earnings(ctx, rest)
	case "fans":
		return m.fans(ctx, rest)
	case "payouts":
		return m.payouts(ctx, rest)
	case "codes":
		return m.codes(ctx, rest)
	case "redeem":
		return m.redeem(ctx, rest)
	case "announce":
		return m.announce(ctx, rest)
	case "account":
		return m.account(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprintln(m.Stdout, usage)
		return nil
	}
	fmt.Fprintln(m.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
