package sites

import (
	"html"
	"regexp"
	"strings"
	"sync"
)

// Markdown (READMEs, issues, Reddit posts) becomes plain text: the words
// a reader sees, in paragraphs, without code blocks, images, badges,
// link targets or markup.
var (
	mdImage     = lazyRegexp(`!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]`)
	mdLink      = lazyRegexp(`\[([^\]]*)\]\([^)]*\)`)
	mdRefLink   = lazyRegexp(`\[([^\]]+)\]\[[^\]]*\]`)
	mdAutoLink  = lazyRegexp(`<(https?://[^>\s]+)>`)
	mdTag       = lazyRegexp(`</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>`)
	mdComment   = lazyRegexp(`(?s)<!--.*?-->`)
	mdRefDef    = lazyRegexp(`^\s{0,3}\[[^\]]+\]:\s*\S+`)
	mdHeading   = lazyRegexp(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	mdListItem  = lazyRegexp(`^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$`)
	mdRule      = lazyRegexp(`^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$`)
	mdTableRule = lazyRegexp(`^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$`)
	mdStrong    = lazyRegexp(`\*\*|__|~~`)
	mdEmphasis  = lazyRegexp(`\*([^*\s][^*]*)\*`)
	mdCode      = lazyRegexp("`+([^`]*)`+")
)

// maxMarkdown caps the Markdown converted; a README longer than this is
// cut, as a summary cannot use more.
const maxMarkdown = 1 << 20

// markdownText converts Markdown to plain text paragraphs separated by
// blank lines.
func markdownText(md string) string {
	md = clip(md, maxMarkdown)
	md = strings.ReplaceAll(md, "\r\n", "\n")
	md = mdComment().ReplaceAllString(md, "")
	var paras []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, " "))
			cur = nil
		}
	}
	alone := func(s string) {
		flush()
		if s = inlineText(s); s != "" {
			paras = append(paras, s)
		}
	}
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		switch {
		case strings.HasPrefix(trimmed, "```"):
			flush()
			fence = "```"
		case strings.HasPrefix(trimmed, "~~~"):
			flush()
			fence = "~~~"
		case trimmed == "":
			flush()
		case mdRule().MatchString(line), mdTableRule().MatchString(line), mdRefDef().MatchString(line):
			flush()
		case mdHeading().MatchString(line):
			alone(mdHeading().FindStringSubmatch(line)[1])
		case mdListItem().MatchString(line):
			alone(mdListItem().FindStringSubmatch(line)[1])
		case strings.HasPrefix(trimmed, "|"):
			cells := strings.Split(strings.Trim(trimmed, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			alone(strings.Join(cells, " · "))
		case strings.HasPrefix(trimmed, ">"):
			cur = append(cur, strings.TrimSpace(strings.TrimLeft(trimmed, "> ")))
		default:
			cur = append(cur, trimmed)
		}
	}
	flush()
	out := paras[:0]
	for _, p := range paras {
		if p = inlineText(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// inlineText removes inline markup from one paragraph.
func inlineText(s string) string {
	s = mdImage().ReplaceAllString(s, "")
	s = mdLink().ReplaceAllString(s, "$1")
	s = mdRefLink().ReplaceAllString(s, "$1")
	s = mdAutoLink().ReplaceAllString(s, "$1")
	s = mdTag().ReplaceAllString(s, " ")
	s = mdCode().ReplaceAllString(s, "$1")
	s = mdStrong().ReplaceAllString(s, "")
	s = mdEmphasis().ReplaceAllString(s, "$1")
	s = html.UnescapeString(s)
	s = strings.Trim(oneLine(s), " ·")
	if strings.Trim(s, " ·|-*_#>") == "" {
		return ""
	}
	return s
}

// lazyRegexp returns a function that compiles expr the first time it is
// called. Go initializes every package of the binary at start-up, so a
// pattern compiled in a package-level variable would cost every run,
// `linkbrief version` too, whether or not it meets the site it is for.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
