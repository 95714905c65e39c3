package markdown_test

import (
	"testing"

	"github.com/megabox-fm/megabox/backend/markdown"
)

func TestHTMLKeepsTheSafeSubset(t *testing.T) {
	r := markdown.New()
	tests := []struct{ name, in, want string }{
		{"structure",
			"# Tour\n\nWe play **Lyon** and *Paris*.\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n`code` and\n\n```\nblock\n```\n",
			"<h1>Tour</h1>\n<p>We play <strong>Lyon</strong> and <em>Paris</em>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n<p><code>code</code> and</p>\n<pre><code>block\n</code></pre>\n"},
		{"links",
			"[shop](https://example.com/a?b=1&c=2) and [mail](mailto:a@example.com)",
			`<p><a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener" target="_blank">shop</a> and <a href="mailto:a@example.com" rel="nofollow">mail</a></p>` + "\n"},
		{"hostile",
			"Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) [data](data:text/html,x) ![pic](https://example.com/p.png)\n\n<a href=\"https://evil.example\" onclick=\"x()\">raw</a> <b onmouseover=\"y()\">bold</b>\n\n<iframe src=\"https://evil.example\"></iframe><style>p{}</style>",
			"<p>Hi alert(1)</p>\n\n<p>click data </p>\n<p>raw bold</p>\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.HTML(tt.in); got != tt.want {
				t.Errorf("HTML(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
