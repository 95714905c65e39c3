// Package markdown turns a creator's Markdown into HTML that is safe to
// show on the platform's pages and in email: goldmark renders it (raw
// HTML in the source is dropped, not passed through), then a strict
// bluemonday policy keeps only text structure — paragraphs, emphasis,
// lists, links, headings, code and quotes. Images, scripts, styles, event
// handlers and links other than http, https and mailto never survive.
package markdown

import (
	"bytes"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer renders Markdown; it is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a renderer with the platform's policy.
func New() *Renderer {
	// No html.WithUnsafe: goldmark writes "<!-- raw HTML omitted -->" for
	// raw HTML and drops dangerous link targets; the policy is the
	// second wall, and the one that decides.
	md := goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Linkify))
	return &Renderer{md: md, policy: policy()}
}

// policy allows text structure and links only. Links get
// rel="nofollow noopener" and open in a new tab: a creator's link does not
// lend the platform's standing, nor reach back into the page.
func policy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "em", "strong", "del", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
		"code", "pre", "blockquote", "hr")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,6}$`)).OnElements("ol")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// HTML renders src as safe HTML.
func (r *Renderer) HTML(src string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		// goldmark fails only on a failing writer; a buffer does not.
		return r.policy.Sanitize(src)
	}
	return string(r.policy.SanitizeBytes(buf.Bytes())) // comments too are dropped
}
