package web

import (
	"regexp"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"
)

func TestEveryLanguageHasEveryMessage(t *testing.T) {
	for lang, m := range messages {
		for key := range messages["en"] {
			if _, ok := m[key]; !ok {
				t.Errorf("%s lacks %q", lang, key)
			}
		}
		for key := range m {
			if _, ok := messages["en"][key]; !ok {
				t.Errorf("%s has %q, English does not", lang, key)
			}
		}
	}
}

// The templates show no text of their own: every word comes from the
// message tables, and every key they name is there.
func TestTemplatesTakeTextFromMessages(t *testing.T) {
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, tmpl := range parsePages(loadAssets())["en"] {
		for _, tt := range tmpl.Templates() {
			if tt.Tree == nil {
				continue
			}
			// The template's source without its actions, in order: what
			// is left outside tags is text a reader would see.
			var src strings.Builder
			walk(tt.Tree.Root, func(n parse.Node) {
				switch n := n.(type) {
				case *parse.TextNode:
					src.Write(n.Text)
				case *parse.ActionNode:
					src.WriteString("\x00")
				case *parse.CommandNode:
					if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "t" && len(n.Args) > 1 {
						if s, ok := n.Args[1].(*parse.StringNode); ok {
							if _, ok := messages["en"][s.Text]; !ok {
								t.Errorf("%s: no message %q", tt.Name(), s.Text)
							}
						}
					}
				}
			})
			rest := tags.ReplaceAllString(src.String(), "")
			if strings.ContainsFunc(rest, unicode.IsLetter) {
				t.Errorf("%s: text in a template: %q", tt.Name(), strings.Join(strings.Fields(strings.ReplaceAll(rest, "\x00", " ")), " "))
			}
		}
	}
}

func walk(n parse.Node, fn func(parse.Node)) {
	if n == nil {
		return
	}
	fn(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walk(c, fn)
			}
		}
	case *parse.ActionNode:
		walk(n.Pipe, fn)
	case *parse.PipeNode:
		for _, c := range n.Cmds {
			walk(c, fn)
		}
	case *parse.IfNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.RangeNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.WithNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, fn)
		}
	}
}

func TestMoneyAndDurations(t *testing.T) {
	for _, c := range []struct {
		lang  string
		cents int64
		want  string
	}{{"en", 999, "9.99 EUR"}, {"fr", 999, "9,99 EUR"}, {"en", 5, "0.05 EUR"}, {"fr", 123456, "1234,56 EUR"}} {
		if got := money(c.lang, c.cents, "EUR"); got != c.want {
			t.Errorf("money(%s, %d) = %q, want %q", c.lang, c.cents, got, c.want)
		}
	}
	for ms, want := range map[int64]string{0: "0:00", 1499: "0:01", 59_600: "1:00", 205_000: "3:25", 3_725_000: "1:02:05"} {
		if got := duration(ms); got != want {
			t.Errorf("duration(%d) = %q, want %q", ms, got, want)
		}
	}
}
