package commands

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/linkbrief/linkbrief/summarize"
)

// Discord's limits on what a message may carry. Discord does not say
// whether it counts code points or UTF-16 units; Linkbrief counts UTF-16
// units, which are never fewer, so it stays within either reading.
const (
	MaxContent          = 2000
	MaxEmbedTitle       = 256
	MaxEmbedDescription = 4096
	MaxFields           = 25
	MaxFieldName        = 256
	MaxFieldValue       = 1024
	MaxFooter           = 2048
	MaxEmbedTotal       = 6000
	MaxThreadName       = 100
	// maxEmbedURL keeps absurdly long links out of the embed's url,
	// which Discord rejects beyond 2048.
	maxEmbedURL = 2048
)

// zwsp is the zero-width space put after an @ so that Discord does not
// read a mention.
const zwsp = "\u200b"

// Neutralize defuses mentions in text shown in Discord: @everyone, @here,
// user and role mentions (<@id>, <@!id>, <@&id>) get a
// zero-width space after the @, and masked links ([text](url)) are broken
// so a summary cannot disguise where a link goes. It also drops control
// characters other than newlines and tabs. Every reply sends
// allowed_mentions with parse: [] as well; this is the second line of
// defence.
func Neutralize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r == '\r' || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
	if !strings.ContainsAny(s, "@]") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		b.WriteByte(c)
		switch c {
		case '@':
			rest := s[i+1:]
			// <@id>, <@!id> and <@&id> are user and role mentions;
			// @everyone and @here ping whole servers.
			if i > 0 && s[i-1] == '<' || hasPrefixFold(rest, "everyone") || hasPrefixFold(rest, "here") {
				b.WriteString(zwsp)
			}
		case ']':
			if i+1 < len(s) && s[i+1] == '(' {
				b.WriteString(zwsp)
			}
		}
	}
	return b.String()
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Len returns the length of s as Linkbrief counts it against Discord's
// limits: UTF-16 code units.
func Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// Truncate trims s and shortens it to at most max UTF-16 units, ending a
// shortened text with "…" and never splitting a character.
func Truncate(s string, max int) string {
	s = strings.TrimSpace(s)
	if max <= 0 {
		return ""
	}
	if Len(s) <= max {
		return s
	}
	n := 0
	end := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if n+w > max-1 {
			break
		}
		n += w
		end = i + utf8.RuneLen(r)
	}
	cut := s[:end]
	// End on a word when one ends near the cut.
	if sp := strings.LastIndexFunc(cut, unicode.IsSpace); sp > 0 && sp >= len(cut)*4/5 {
		cut = cut[:sp]
	}
	cut = strings.TrimRightFunc(cut, unicode.IsSpace)
	// Do not leave a dangling zero-width space, or a joiner that glued
	// the emoji cut off to the one kept.
	cut = strings.TrimRight(cut, zwsp+"\u200d")
	return cut + "…"
}

// oneLine turns runs of whitespace, newlines included, into single
// spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// clean neutralizes and trims user or article text.
func clean(s string) string {
	return strings.TrimSpace(Neutralize(s))
}

// RenderBrief renders a brief as one embed within every Discord limit: the
// title links the article, the description is the summary, each key claim
// is a numbered field quoting the article, and the footer names the site,
// the backend and model, whether it came from the cache and the reading
// time.
func RenderBrief(b *summarize.Brief) Embed {
	e := Embed{
		Title:  Truncate(oneLine(clean(b.Title)), MaxEmbedTitle),
		Footer: Truncate(oneLine(footer(b)), MaxFooter),
	}
	if e.Title == "" {
		e.Title = Truncate(hostOf(b.URL), MaxEmbedTitle)
	}
	if b.URL != "" && len(b.URL) <= maxEmbedURL && validLink(b.URL) {
		e.URL = b.URL
	}
	desc := clean(b.Summary)
	if desc == "" {
		desc = "No summary could be written for this page."
	}
	var notes []string
	if n := oneLine(clean(b.Note)); n != "" {
		notes = append(notes, "*"+strings.Trim(n, "*")+"*")
	}
	if b.Truncated {
		notes = append(notes, "*The article was long: part of it was left out of this brief.*")
	}
	// The notes are kept whole; the summary gives way to them.
	tail := strings.Join(notes, "\n")
	if tail != "" {
		tail = "\n\n" + tail
	}
	for i, c := range b.Claims {
		if len(e.Fields) == MaxFields {
			break
		}
		text, quote := oneLine(clean(c.Text)), oneLine(clean(c.Quote))
		if quote == "" {
			continue
		}
		name := Truncate(fmt.Sprintf("%d. %s", i+1, text), MaxFieldName)
		if text == quote || text == "" {
			// The claim is its own quote (the offline summarizer's):
			// saying it twice would only fill the embed.
			name = fmt.Sprintf("Key claim %d", i+1)
		}
		link := ""
		if c.URL != "" && len(c.URL) <= 300 && validLink(c.URL) && !strings.ContainsAny(c.URL, "()<> ") {
			// The place of the source the quote comes from: a video's moment.
			link = "\n[▶ at this moment](" + c.URL + ")"
		}
		e.Fields = append(e.Fields, Field{Name: name, Value: Truncate("> "+quote, MaxFieldValue-Len(link)) + link})
	}
	return fit(e, desc, tail)
}

// fit sets the description to summary+tail and shortens the embed until
// its total length is within Discord's 6000: the summary first gives way
// down to 1024 units, then claims are dropped from the last, then the
// summary is cut further. The tail (notes) is kept whole.
func fit(e Embed, summary, tail string) Embed {
	summary = Truncate(summary, MaxEmbedDescription-Len(tail))
	e.Description = summary + tail
	over := func() int { return total(e) - MaxEmbedTotal }
	if o := over(); o > 0 {
		if n := Len(summary); n > 1024 {
			summary = Truncate(summary, max(1024, n-o))
			e.Description = summary + tail
		}
	}
	for over() > 0 && len(e.Fields) > 0 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
	if o := over(); o > 0 {
		summary = Truncate(summary, max(1, Len(summary)-o))
		e.Description = summary + tail
	}
	return e
}

// total is the embed length Discord checks against 6000.
func total(e Embed) int {
	n := Len(e.Title) + Len(e.Description) + Len(e.Footer)
	for _, f := range e.Fields {
		n += Len(f.Name) + Len(f.Value)
	}
	return n
}

// footer is the line under a brief.
func footer(b *summarize.Brief) string {
	var parts []string
	if s := clean(b.Site); s != "" {
		parts = append(parts, s)
	} else if h := hostOf(b.URL); h != "" {
		parts = append(parts, h)
	}
	switch {
	case b.Backend == summarize.BackendLLM && b.Model != "":
		parts = append(parts, "llm/"+clean(b.Model))
	case b.Backend == summarize.BackendLLM:
		parts = append(parts, "llm")
	case b.Backend != "":
		parts = append(parts, clean(b.Backend))
	}
	if b.Cached {
		parts = append(parts, "cached")
	}
	parts = append(parts, fmt.Sprintf("%d min read", int(b.ReadingTime().Minutes())))
	return strings.Join(parts, " · ")
}

// ThreadName is the name of the thread started for an article: its title
// on one line, or its host when it has none, 1 to 100 units.
func ThreadName(title, rawURL string) string {
	name := Truncate(oneLine(clean(title)), MaxThreadName)
	if name == "" {
		name = Truncate(hostOf(rawURL), MaxThreadName)
	}
	if name == "" {
		name = "Linkbrief"
	}
	return name
}

// Text renders plain text for a message's content: mentions neutralized,
// at most 2000 units.
func Text(s string) string {
	return Truncate(clean(s), MaxContent)
}

// hostOf returns the host of a URL, or "".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// validLink reports whether raw is an absolute http(s) URL Discord will
// accept as an embed link.
func validLink(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
