package mail

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

//go:embed templates
var templateFS embed.FS

// Each message kind has, per language, NAME.LANG.txt (the subject in a
// "subject" block, then the text part) and NAME.LANG.html (the HTML
// part, every value escaped by html/template).
var (
	textTemplates = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html"))
)

// Rendered is a message's subject and parts.
type Rendered struct {
	Subject, Text, HTML string
}

// Render renders the message kind name in lang ("fr" or else English).
func Render(name, lang string, data any) (Rendered, error) {
	if lang != "fr" {
		lang = "en"
	}
	base := name + "." + lang
	var r Rendered
	var subject, text, html bytes.Buffer
	t := textTemplates.Lookup(base + ".txt")
	if t == nil {
		return r, fmt.Errorf("mail template %s: none", base)
	}
	if err := t.ExecuteTemplate(&subject, base+".subject", data); err != nil {
		return r, fmt.Errorf("mail template %s: %w", base, err)
	}
	if err := t.Execute(&text, data); err != nil {
		return r, fmt.Errorf("mail template %s: %w", base, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, base+".html", data); err != nil {
		return r, fmt.Errorf("mail template %s: %w", base, err)
	}
	// A subject is one line whatever the data held.
	r.Subject = strings.Join(strings.Fields(subject.String()), " ")
	r.Text, r.HTML = strings.TrimLeft(text.String(), "\n"), html.String()
	return r, nil
}

// Queue renders a message and adds it to the outbox in tx, due now. A
// key queued before is left as it was: false, no error.
func Queue(ctx context.Context, tx store.Tx, key, to, name, lang string, data any, now time.Time) (bool, error) {
	r, err := Render(name, lang, data)
	if err != nil {
		return false, err
	}
	_, err = tx.QueueMail(ctx, store.Mail{Key: key, To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		NextAt: now, CreatedAt: now})
	if errors.Is(err, store.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}
