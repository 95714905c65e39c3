package multinode

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

const password = "correct horse battery"

// user is an account signed in on both nodes with one session: what
// either node issues, the other accepts.
type user struct {
	id    int64
	email string
	on    [2]*mhttp.Client // on[i] talks to node i
}

// signUp creates an account through node i%2 and signs it in through the
// other node.
func (c *cluster) signUp(ctx context.Context, i int, email string, creator bool) (*user, error) {
	u := &user{email: email}
	for k, n := range c.nodes {
		cl, err := mhttp.NewClient(n.url, httpClient)
		if err != nil {
			return nil, err
		}
		u.on[k] = cl
	}
	a, err := u.on[i%2].CreateAccount(ctx, api.AccountCreate{Email: email, Password: password, DisplayName: email, Creator: creator})
	if err != nil {
		return nil, fmt.Errorf("sign up %s: %w", email, err)
	}
	u.id = a.ID
	s, err := u.on[(i+1)%2].CreateSession(ctx, api.Credentials{Email: email, Password: password})
	if err != nil {
		return nil, fmt.Errorf("sign in %s: %w", email, err)
	}
	u.on[i%2].SetToken(s.Token)
	return u, nil
}

// signUpMany creates n accounts named prefix-N at once.
func (c *cluster) signUpMany(t *testing.T, prefix string, n int, creator bool) []*user {
	t.Helper()
	users := make([]*user, n)
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(4)
	for i := range users {
		g.Go(func() (err error) {
			users[i], err = c.signUp(ctx, i, fmt.Sprintf("%s-%d@example.com", prefix, i), creator)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	return users
}

// release is one published release and who sells it.
type release struct {
	id       int64
	creator  *user
	currency string
}

// publishReleases has each creator upload one small MP3 and publish
// perCreator pay-what-you-want releases of it (at least 7 cents), every
// other creator in USD, the rest in EUR; requests alternate nodes.
func (c *cluster) publishReleases(t *testing.T, creators []*user, perCreator int) []release {
	t.Helper()
	var mu sync.Mutex
	var out []release
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(4)
	for i, cr := range creators {
		currency := []string{"EUR", "USD"}[i%2]
		g.Go(func() error {
			sha, err := uploadSmallMP3(ctx, cr.on[i%2])
			if err != nil {
				return err
			}
			for j := range perCreator {
				cl := cr.on[(i+j)%2]
				r, err := cl.CreateRelease(ctx, api.Manifest{Title: fmt.Sprintf("Release %d.%d", i, j), ArtistName: cr.email,
					PriceCents: 1000, Currency: currency, PayWhatYouWant: true, MinCents: 7,
					Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: sha}}})
				if err != nil {
					return fmt.Errorf("create release: %w", err)
				}
				if _, err := cr.on[(i+j+1)%2].PublishRelease(ctx, r.ID); err != nil {
					return fmt.Errorf("publish release %d: %w", r.ID, err)
				}
				mu.Lock()
				out = append(out, release{id: r.ID, creator: cr, currency: currency})
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	return out
}

func uploadSmallMP3(ctx context.Context, cl *mhttp.Client) (string, error) {
	b := testmedia.SilentMP3(4000)
	sum := sha256.Sum256(b)
	sha := hex.EncodeToString(sum[:])
	u := &mhttp.Upload{SHA256: sha, Size: int64(len(b)), Filename: "one.mp3"}
	if _, err := cl.UploadFile(ctx, bytes.NewReader(b), u); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	return sha, nil
}

// get fetches path through cl with its session and returns the body of
// a 200 response.
func get(ctx context.Context, cl *mhttp.Client, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cl.BaseURL()+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+cl.Token())
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s%s: %s: %s", cl.BaseURL(), path, resp.Status, b)
	}
	return b, nil
}
