package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/credentials"
	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

func (m *Main) store() *credentials.Store { return credentials.New(cache.Home(), m.Keyring) }

func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("megabox-cli "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

func (m *Main) login(ctx context.Context, args []string) error {
	fs := m.flags("login")
	server := fs.String("server", "http://127.0.0.1:8080", "platform URL")
	email := fs.String("email", "", "account email")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("login: --email is required")
	}
	c, err := mhttp.NewClient(*server, nil)
	if err != nil {
		return err
	}
	password, err := m.password()
	if err != nil {
		return err
	}
	sess, err := c.CreateSession(ctx, api.Credentials{Email: *email, Password: password})
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if err := m.store().Save(credentials.Session{Server: c.BaseURL(), Email: sess.Account.Email, Token: sess.Token}); err != nil {
		return err
	}
	role := "fan"
	if sess.Account.Creator {
		role = "creator"
	}
	fmt.Fprintf(m.Stdout, "Signed in to %s as %s (%s).\n", c.BaseURL(), sess.Account.DisplayName, role)
	return nil
}

// password reads MEGABOX_PASSWORD, else prompts without echo on a
// terminal, else reads a line from standard input.
func (m *Main) password() (string, error) {
	if p := os.Getenv("MEGABOX_PASSWORD"); p != "" {
		return p, nil
	}
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(m.Stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("login: no password given (set MEGABOX_PASSWORD or type it)")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (m *Main) logout(ctx context.Context) error {
	s := m.store()
	if sess, err := s.Load(); err == nil {
		if c, err := mhttp.NewClient(sess.Server, nil); err == nil {
			c.SetToken(sess.Token)
			// The local session goes anyway; a server that could not be
			// told keeps its session until it expires, so say so.
			if err := c.DeleteSession(ctx); err != nil {
				fmt.Fprintf(m.Stderr, "The server could not end the session (%v); it expires on its own.\n", err)
			}
		}
	}
	if err := s.Clear(); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "Signed out.")
	return nil
}

// client returns a client signed in with the stored session.
func (m *Main) client() (*mhttp.Client, error) {
	sess, err := m.store().Load()
	if err != nil {
		return nil, err
	}
	c, err := mhttp.NewClient(sess.Server, nil)
	if err != nil {
		return nil, err
	}
	c.SetToken(sess.Token)
	return c, nil
}

func openCache(ctx context.Context) (*cache.Cache, error) {
	return cache.Open(ctx, cache.DefaultPath())
}

func (m *Main) sync(ctx context.Context, args []string) error {
	fs := m.flags("sync")
	once := fs.Bool("once", false, "sync and exit (non-zero if any file failed)")
	parallel := fs.Int("parallel", 2, "uploads at once")
	limit := fs.Int64("limit", 0, "upload limit in KB/s (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	cc, err := openCache(ctx)
	if err != nil {
		return err
	}
	defer cc.Close()
	for _, dir := range fs.Args() {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s is not a folder", dir)
		}
		if _, err := cc.AddRoot(ctx, abs); err != nil {
			return err
		}
	}
	if roots, _ := cc.Roots(ctx); len(roots) == 0 {
		return errors.New("sync: name a folder to watch")
	}
	out := newProgress(m.Stdout, m.terminal())
	defer out.close()
	eng := sync.New(cc, c, out, sync.Options{Parallel: *parallel, RateLimit: *limit * 1000})
	if !*once {
		fmt.Fprintln(m.Stdout, "Watching; press Ctrl+C to stop.")
		return eng.Serve(ctx)
	}
	return m.syncOnce(ctx, eng, out)
}

// syncOnce syncs until nothing is waiting for a file to finish, then
// reports.
func (m *Main) syncOnce(ctx context.Context, eng *sync.Engine, out *progress) error {
	for {
		rep, err := eng.SyncOnce(ctx)
		if err != nil {
			return err
		}
		if rep.Waiting > 0 && ctx.Err() == nil {
			time.Sleep(time.Second)
			continue
		}
		out.close()
		for _, f := range rep.FileErrors {
			fmt.Fprintf(m.Stdout, "error  %s: %s\n", f.Path, f.Problem)
		}
		for _, e := range rep.Errors {
			fmt.Fprintf(m.Stdout, "error  %v\n", e)
		}
		p := eng.Progress()
		fmt.Fprintf(m.Stdout, "%d release folder(s), %d file(s), %s uploaded.\n", rep.Releases, rep.Files, humanBytes(p.BytesDone))
		if rep.Failed() {
			return errFailed
		}
		return nil
	}
}

func (m *Main) terminal() bool {
	if m.IsTerminal != nil {
		return *m.IsTerminal
	}
	f, ok := m.Stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (m *Main) status(ctx context.Context) error {
	cc, err := openCache(ctx)
	if err != nil {
		return err
	}
	defer cc.Close()
	roots, err := cc.Roots(ctx)
	if err != nil {
		return err
	}
	if len(roots) == 0 {
		fmt.Fprintln(m.Stdout, "No watched folders: run megabox-cli sync FOLDER.")
	}
	if sess, err := m.store().Load(); err == nil {
		fmt.Fprintf(m.Stdout, "Signed in to %s as %s.\n", sess.Server, sess.Email)
	} else {
		fmt.Fprintln(m.Stdout, "Not signed in.")
	}
	for _, r := range roots {
		fmt.Fprintf(m.Stdout, "\n%s (%s)\n", r.Path, r.State)
		rels, _ := cc.Releases(ctx, r.ID)
		for _, rel := range rels {
			line := fmt.Sprintf("  %-32s %-20s", rel.Dir, rel.State)
			if rel.ReleaseID != 0 {
				line += fmt.Sprintf(" release #%d", rel.ReleaseID)
			}
			if p := sync.ParseProblem(rel.Error); p != nil {
				line += "  " + p.String()
			}
			fmt.Fprintln(m.Stdout, strings.TrimRight(line, " "))
			files, _ := cc.FilesIn(ctx, r.ID, rel.Dir)
			for _, f := range files {
				if f.State == sync.StateError || f.State == sync.StateUploading || f.State == sync.StateWaiting {
					fmt.Fprintf(m.Stdout, "    %-9s %s %s\n", f.State, f.Rel, sync.ParseProblem(f.Error))
				}
			}
		}
	}
	return nil
}

func (m *Main) publish(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("publish: name one release folder")
	}
	abs, err := filepath.Abs(args[0])
	if err != nil {
		return err
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	cc, err := openCache(ctx)
	if err != nil {
		return err
	}
	defer cc.Close()
	root, dir, err := rootOf(ctx, cc, abs)
	if err != nil {
		return err
	}
	eng := sync.New(cc, c, nil, sync.Options{})
	rel, err := eng.Publish(ctx, root, dir)
	if err != nil {
		return fmt.Errorf("publish %s: %w", dir, err)
	}
	fmt.Fprintf(m.Stdout, "Published %q (#%d): %d tracks at %s.\n", rel.Title, rel.ID, len(rel.Tracks), api.FormatCents(rel.PriceCents, rel.Currency))
	return nil
}

// rootOf finds the watched folder a release folder belongs to.
func rootOf(ctx context.Context, cc *cache.Cache, abs string) (cache.Root, string, error) {
	roots, err := cc.Roots(ctx)
	if err != nil {
		return cache.Root{}, "", err
	}
	for _, r := range roots {
		if filepath.Dir(abs) == r.Path {
			return r, filepath.Base(abs), nil
		}
	}
	return cache.Root{}, "", fmt.Errorf("%s is not a release folder inside a watched folder (run megabox-cli sync on its parent first)", abs)
}
