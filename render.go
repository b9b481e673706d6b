package main

import (
	"fmt"
	"strings"

	"github.com/linkbrief/linkbrief/summarize"
)

// renderText formats a brief for a terminal.
func renderText(b *summarize.Brief) string {
	var s strings.Builder
	title := b.Title
	if title == "" {
		title = b.URL
	}
	fmt.Fprintf(&s, "%s\n", title)
	if b.URL != "" && b.URL != title {
		fmt.Fprintf(&s, "%s\n", b.URL)
	}
	if meta := metaLine(b); meta != "" {
		fmt.Fprintf(&s, "%s\n", meta)
	}
	fmt.Fprintf(&s, "\n%s\n", wrap(b.Summary, 78, ""))
	if len(b.Claims) > 0 {
		s.WriteString("\nKey claims:\n")
		for i, c := range b.Claims {
			fmt.Fprintf(&s, "%2d. %s\n", i+1, wrap(c.Text, 74, "    "))
			if c.Quote != c.Text {
				fmt.Fprintf(&s, "    “%s”\n", wrap(c.Quote, 72, "     "))
			}
			if c.URL != "" {
				fmt.Fprintf(&s, "    ▶ %s\n", c.URL)
			}
		}
	}
	if b.Note != "" {
		fmt.Fprintf(&s, "\nNote: %s\n", wrap(b.Note, 72, "      "))
	}
	fmt.Fprintf(&s, "\n%s\n\n", footer(b))
	return s.String()
}

// renderMarkdown formats a brief as Markdown.
func renderMarkdown(b *summarize.Brief) string {
	var s strings.Builder
	title := b.Title
	if title == "" {
		title = b.URL
	}
	if b.URL != "" {
		fmt.Fprintf(&s, "## [%s](%s)\n\n", mdEscape(title), b.URL)
	} else {
		fmt.Fprintf(&s, "## %s\n\n", mdEscape(title))
	}
	if meta := metaLine(b); meta != "" {
		fmt.Fprintf(&s, "*%s*\n\n", mdEscape(meta))
	}
	fmt.Fprintf(&s, "%s\n\n", mdEscape(b.Summary))
	if len(b.Claims) > 0 {
		s.WriteString("### Key claims\n\n")
		for i, c := range b.Claims {
			fmt.Fprintf(&s, "%d. %s\n", i+1, mdEscape(c.Text))
			if c.Quote != c.Text {
				fmt.Fprintf(&s, "   > %s\n", mdEscape(c.Quote))
			}
			if c.URL != "" && !strings.ContainsAny(c.URL, "()<> ") {
				fmt.Fprintf(&s, "   [▶ at this moment](%s)\n", c.URL)
			}
		}
		s.WriteString("\n")
	}
	if b.Note != "" {
		fmt.Fprintf(&s, "> **Note:** %s\n\n", mdEscape(b.Note))
	}
	fmt.Fprintf(&s, "<sub>%s</sub>\n\n", mdEscape(footer(b)))
	return s.String()
}

func metaLine(b *summarize.Brief) string {
	var parts []string
	for _, p := range []string{b.Site, b.Byline} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(b.Published) >= 10 {
		parts = append(parts, b.Published[:10])
	}
	return strings.Join(parts, " · ")
}

func footer(b *summarize.Brief) string {
	parts := []string{b.Backend}
	if b.Model != "" {
		parts[0] += " (" + b.Model + ")"
	}
	if b.Cached {
		parts = append(parts, "cached")
	}
	if b.Truncated {
		parts = append(parts, "article partly read")
	}
	if b.Words > 0 {
		parts = append(parts, fmt.Sprintf("%d min read", int(b.ReadingTime().Minutes())))
	}
	return strings.Join(parts, " · ")
}

// mdEscape escapes the Markdown characters that would change how text
// from an untrusted page renders.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
		"<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`)
	return r.Replace(s)
}

// wrap breaks s into lines of at most width runes, indenting every line
// after the first with indent.
func wrap(s string, width int, indent string) string {
	var out strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		l := len([]rune(w))
		if i > 0 {
			if n+1+l > width {
				out.WriteString("\n" + indent)
				n = 0
			} else {
				out.WriteByte(' ')
				n++
			}
		}
		out.WriteString(w)
		n += l
	}
	return out.String()
}
