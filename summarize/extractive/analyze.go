package extractive

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// sentence is one sentence of an article with what ranking needs to know.
type sentence struct {
	span          // where the quotable text is in the article
	index     int // position among all sentences
	words     int // number of words
	stems     []string
	terms     []term // tf-isf weights of its stems, by stem id
	norm      float64
	boiler    bool // boilerplate: never chosen
	fragment  bool // not a whole sentence: chosen only when nothing else is left
	caption   bool // looks like a photo caption
	question  bool
	quoteOnly bool // opens with a quotation mark: a speaker's words, not narration
	addressed bool // speaks to the reader ("you") outside quotation marks: a teaser
	facts     int  // checkable facts: numbers, names, attributions
}

// document is an analysed article.
type document struct {
	text  string
	sents []sentence
	// centroid is the sum of all usable sentence vectors, the article's topic.
	centroid     []float64 // by stem id
	centroidNorm float64
	ids          map[string]int // stem -> id
	title        map[int]bool   // ids of the title's content stems
	st           stemmer
	p            params
}

// term is a stem (by id) and its weight in a sentence.
type term struct {
	id int
	w  float64
}

// analyze splits text into sentences and computes their features; lang is
// the article's ISO 639-1 code, "" when unknown.
func analyze(title, text, lang string) *document {
	return analyzeP(title, text, lang, defaultParams())
}

func analyzeP(title, text, lang string, p params) *document {
	d := &document{text: text, st: newStemmer(lang), title: map[int]bool{}, ids: map[string]int{}, p: p}
	var spans []span
	var glued []bool
	for _, sp := range splitSpans(text) {
		p, c := unglue(text, stripDateline(text, sp))
		spans = append(spans, p...)
		glued = append(glued, c...)
	}
	d.sents = make([]sentence, 0, len(spans))
	var df []int // sentences containing each stem id
	for i, sp := range spans {
		sp = stripDateline(text, sp)
		s := sentence{span: sp, index: i}
		raw := text[sp.start:sp.end]
		toks := tokens(raw)
		s.words = Words(raw)
		// A glued caption is left out like other page furniture: cut from
		// its full stop it reads as a broken sentence.
		s.boiler = isBoilerplate(raw, toks) || glued[i] || isHeading(text, sp, s.words) ||
			mostlyLink(raw) || isNameList(raw)
		s.fragment = unfinished(text, sp)
		s.caption = isCaption(raw) || hasCaptionLabel(raw)
		s.question = strings.HasSuffix(strings.TrimRightFunc(raw, isCloserOrSpace), "?")
		r, _ := utf8.DecodeRuneInString(raw)
		s.quoteOnly = isOpener(r) && r != '('
		s.facts = countFacts(raw)
		s.addressed = addressesReader(raw, toks)
		s.stems = d.st.contentStems(raw)
		tf := make(map[int]float64, len(s.stems))
		for _, w := range s.stems {
			id, ok := d.ids[w]
			if !ok {
				id = len(d.ids)
				d.ids[w] = id
				df = append(df, 0)
			}
			if tf[id] == 0 {
				df[id]++
			}
			tf[id]++
		}
		s.terms = make([]term, 0, len(tf))
		for id, f := range tf {
			s.terms = append(s.terms, term{id, f})
		}
		slices.SortFunc(s.terms, func(a, b term) int { return a.id - b.id })
		d.sents = append(d.sents, s)
	}
	for _, w := range d.st.contentStems(title) {
		if id, ok := d.ids[w]; ok {
			d.title[id] = true
		} else {
			d.title[-1-len(d.title)] = true // a title word the text lacks
		}
	}
	n := float64(len(d.sents))
	d.centroid = make([]float64, len(df))
	for i := range d.sents {
		s := &d.sents[i]
		for k := range s.terms {
			t := &s.terms[k]
			t.w *= 1 + math.Log(n/float64(df[t.id]))
			s.norm += t.w * t.w
			if !s.boiler {
				d.centroid[t.id] += t.w
			}
		}
		s.norm = math.Sqrt(s.norm)
	}
	for _, v := range d.centroid {
		d.centroidNorm += v * v
	}
	d.centroidNorm = math.Sqrt(d.centroidNorm)
	return d
}

// quote returns the verbatim text of s.
func (d *document) quote(s *sentence) string { return d.text[s.start:s.end] }

// similarity is the cosine similarity of two sentences' stem vectors.
func (d *document) similarity(a, b *sentence) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	dot := 0.0
	for i, j := 0, 0; i < len(a.terms) && j < len(b.terms); {
		switch x, y := a.terms[i], b.terms[j]; {
		case x.id < y.id:
			i++
		case x.id > y.id:
			j++
		default:
			dot += x.w * y.w
			i++
			j++
		}
	}
	return dot / (a.norm * b.norm)
}

// centrality is how close s is to the article as a whole.
func (d *document) centrality(s *sentence) float64 {
	if s.norm == 0 || d.centroidNorm == 0 {
		return 0
	}
	dot := 0.0
	for _, t := range s.terms {
		dot += t.w * d.centroid[t.id]
	}
	return dot / (s.norm * d.centroidNorm)
}

// titleOverlap is the share of the title's content stems that s contains.
func (d *document) titleOverlap(s *sentence) float64 {
	if len(d.title) == 0 {
		return 0
	}
	hit := 0
	for _, t := range s.terms {
		if d.title[t.id] {
			hit++
		}
	}
	return float64(hit) / float64(len(d.title))
}

// stripDateline drops a wire-service dateline such as "(CNN) -- " or
// "LONDON, England (Reuters) - " from the start of a sentence: it names the
// publisher, not the news. What remains is still verbatim.
func stripDateline(text string, sp span) span {
	s := text[sp.start:sp.end]
	head := s
	if len(head) > 80 {
		head = head[:80]
	}
	open := strings.IndexByte(head, '(')
	if open < 0 {
		return sp
	}
	cls := strings.IndexByte(head[open:], ')')
	if cls < 0 {
		return sp
	}
	cls += open
	place := strings.Fields(head[:open])
	if len(place) > 4 {
		return sp
	}
	for _, w := range place {
		if !unicode.IsUpper(firstRune(w)) {
			return sp // "(" inside running text, not a dateline
		}
	}
	agency := head[open+1 : cls]
	if agency == "" || len(agency) > 24 || !unicode.IsUpper(firstRune(agency)) {
		return sp
	}
	rest := s[cls+1:]
	trimmed := strings.TrimLeftFunc(rest, func(r rune) bool {
		return unicode.IsSpace(r) || r == '-' || r == '–' || r == '—'
	})
	if open > 0 && len(trimmed) == len(rest) && !gluedAfter(rest) {
		// "WORDS (X) word": no dash after a dateline-like head, and not
		// "London (CNN)The" with the story glued to the agency.
		return sp
	}
	if !strings.ContainsFunc(trimmed, isAlnum) {
		return sp
	}
	return span{sp.end - len(trimmed), sp.end}
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isCloserOrSpace(r rune) bool { return isCloser(r) || unicode.IsSpace(r) }

// isBoilerplate reports whether a sentence is page furniture rather than
// article text: video and share prompts, bylines, time stamps, credits.
// isHeading reports whether the span is a heading rather than a sentence:
// a short line of its own that does not end like a sentence ("Council
// approves the new bridge", "Related stories"). A summary made of headings
// reads as a list of fragments, so they are never chosen.
func isHeading(text string, sp span, words int) bool {
	if words > 20 {
		return false
	}
	raw := strings.TrimRightFunc(text[sp.start:sp.end], isCloserOrSpace)
	last, _ := utf8.DecodeLastRuneInString(raw)
	if raw == "" || isTerminal(last) || last == ':' || last == ';' || strings.ContainsAny(raw[:1], "-*•·–") {
		return false // a sentence, or a list item, which may well hold a fact
	}
	before := strings.TrimRight(text[:sp.start], " \t")
	after := strings.TrimLeft(text[sp.end:], " \t")
	return (before == "" || strings.HasSuffix(before, "\n")) && (after == "" || strings.HasPrefix(after, "\n"))
}

func isBoilerplate(raw string, toks []string) bool {
	if len(toks) == 0 {
		return true
	}
	low := strings.ToLower(raw)
	for _, p := range []string{
		"scroll down for", "scroll down to", "click here", "read more:", "read more at",
		"sign up for", "subscribe to", "follow us", "follow @", "share this",
		"all rights reserved", "image copyright",
		"image caption", "media playback", "e-mail to a friend", "email to a friend",
		"published:", "updated:", "last updated", "enable javascript", "our newsletter",
		"related articles", "related:", "contributed to this report",
		"watch the video", "watch video", "video:", "photos:", "photo:",
		"terms of use", "privacy policy", "like us on facebook",
	} {
		if strings.Contains(low, p) {
			return true
		}
	}
	for _, p := range []string{"pictured:", "above:", "below:", "left:", "right:", "top:", "bottom:", "inset:", "file photo", "photo credit",
		"image:", "images:", "credit:", "credits:", "photograph:", "photo by", "photograph by", "photos by", "source:"} {
		if strings.HasPrefix(low, p) {
			return true // a photo caption's label
		}
	}
	if len(toks) <= 8 && (toks[0] == "advertisement" || toks[0] == "copyright" || toks[0] == "credit") {
		return true
	}
	if len(toks) <= 12 && strings.Contains(low, " reported from ") {
		return true // a credit: "Ann O'Neill reported from Boston."
	}
	if len(toks) <= 15 {
		// A photo credit: "(Photo: John Doe/Getty Images)", "AP Photo/Jane Roe".
		for _, p := range []string{"getty images", "ap photo", "afp photo", "afp/getty", "reuters/", "/reuters",
			"/ap", "/afp", "shutterstock", "courtesy of", "(photo", "photo:", "(image", "epa/", "/epa"} {
			if strings.Contains(low, p) {
				return true
			}
		}
	}
	if strings.Contains(low, "subs not used") || (strings.Count(raw, ";") >= 3 && mostlyNames(raw)) {
		return true // a sports line-up: "Oblak; Gimenez, Miranda; ..."
	}
	if toks[0] == "by" && len(toks) <= 8 && !strings.ContainsAny(raw, ",;") {
		return true // a byline: "By . Jane Doe ."
	}
	if len(toks) <= 6 {
		for _, w := range toks {
			switch w {
			case "reporter", "correspondent", "editor", "dailymail", "mailonline", "staff", "writer":
				return true
			}
		}
	}
	// A time stamp: only numbers, months, days and zones.
	for _, w := range toks {
		if !isNumber(w) && !isDateWord(w) {
			return false
		}
	}
	return true
}

func isDateWord(w string) bool {
	switch w {
	case "january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december", "jan", "feb",
		"mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
		"sunday", "am", "pm", "est", "edt", "gmt", "bst", "utc", "pst", "pdt",
		"cet", "updated", "published", "st", "nd", "rd", "th":
		return true
	}
	return false
}

// isCaption reports whether a sentence reads like a photo caption, which
// news pages interleave with the text and which repeat it.
func isCaption(raw string) bool {
	low := strings.ToLower(raw)
	for _, p := range []string{
		"pictured", "(left)", "(right)", "(centre)", "(center)", "(above)",
		"(below)", "(top)", "(bottom)", "(file photo)", "(file)", "in this photo",
		"this image", "this photo", "seen here", "shown here", "(inset)",
	} {
		if strings.Contains(low, p) {
			return true
		}
	}
	return false
}

// addressesReader reports whether a sentence speaks to the reader ("Ever
// wondered why you ...?", "If your name is ..."): news pages open with such
// teasers, and a summary never addresses its reader. Quoted speech is
// someone else's address, so a sentence with quotation marks does not count.
func addressesReader(raw string, toks []string) bool {
	if strings.ContainsAny(raw, "\"“”‘’'") {
		return false
	}
	for _, w := range toks {
		switch w {
		case "you", "your", "yours", "yourself", "yourselves":
			return true
		}
	}
	return false
}

// gluedAfter reports whether rest starts with a capital letter with no space
// before it, as a story glued to a dateline's agency ("(CNN)Police").
func gluedAfter(rest string) bool {
	return rest != "" && unicode.IsUpper(firstRune(rest))
}

// mostlyNames reports whether at least 60% of the words of s are
// capitalized: a list of names, not prose.
func mostlyNames(s string) bool {
	words := strings.Fields(s)
	upper := 0
	for _, w := range words {
		if unicode.IsUpper(firstRune(w)) {
			upper++
		}
	}
	return len(words) > 0 && 5*upper >= 3*len(words)
}

// unfinished reports a sentence that does not end like one: it trails off
// in an ellipsis or opens with one, starts in lower case (the rest of a
// sentence cut in two), leaves a quotation open or closes one it never
// opened (cut mid-quote), or stops without a full stop ("...reported
// Wednesday that the air quality", "He said:", a piece of an over-long
// run-on cut to length). List items, and Thai, Lao, Khmer and Burmese
// text, which may mark no sentence end, are whole as they are.
func unfinished(text string, sp span) bool {
	raw := text[sp.start:sp.end]
	trimmed := strings.TrimRightFunc(raw, isCloserOrSpace)
	last, _ := utf8.DecodeLastRuneInString(trimmed)
	if last == '…' || strings.HasSuffix(trimmed, "...") || strings.HasPrefix(raw, "…") || strings.HasPrefix(raw, "...") {
		return true
	}
	if first := strings.FieldsFunc(raw, func(r rune) bool { return !isWordRune(r) }); len(first) > 0 {
		if w := first[0]; unicode.IsLower(firstRune(raw)) && strings.ToLower(w) == w {
			return true
		}
	}
	if isTerminal(last) {
		return unbalanced(raw)
	}
	return !listItem(text, sp.start) && hasSentenceMarks(raw)
}

// unbalanced reports a sentence whose quotation marks do not pair up.
func unbalanced(s string) bool {
	c := func(r string) int { return strings.Count(s, r) }
	open := c("„") + c("«") + c("「") + c("『")
	shut := c("»") + c("」") + c("』") + c("”")
	if c("„") > 0 {
		shut += c("“") // German: „…“
	} else {
		open += c("“")
	}
	if c("\"")%2 == 1 {
		if open != shut+1 {
			return true
		}
		shut++ // „…" closed with a straight mark
	}
	return open != shut
}

// listItem reports whether the sentence starting at start opens a line
// with a list marker.
func listItem(text string, start int) bool {
	// A marker and its indent are a few bytes: look no further back, so
	// that a text without line breaks stays linear.
	lo := max(0, start-maxMarker)
	line := strings.LastIndexByte(text[lo:start], '\n') + 1 + lo
	if line == lo && lo > 0 && text[lo-1] != '\n' {
		return false
	}
	return bulletLen(strings.TrimLeft(text[line:], " \t")) > 0 && strings.TrimSpace(text[line:start]) != ""
}

// maxMarker is the most bytes a list marker and its indent take.
const maxMarker = 16

// hasSentenceMarks reports whether s is in a script that ends its
// sentences with a mark: not mostly Thai, Lao, Khmer or Burmese.
func hasSentenceMarks(s string) bool {
	se, letters := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if scriptOf(r) == southeast {
				se++
			}
		}
	}
	return 2*se <= letters
}

// mostlyLink reports a sentence that is at least 40% web addresses: a
// link, not a statement.
func mostlyLink(s string) bool {
	link, total := 0, 0
	for _, f := range strings.Fields(s) {
		n := utf8.RuneCountInString(f)
		total += n
		if looksLikeURL(f) {
			link += n
		}
	}
	return total > 0 && 5*link >= 2*total
}

// looksLikeURL reports a word that is a web address: a scheme, "www.", or
// a host name with a common top-level domain, perhaps with a path.
func looksLikeURL(w string) bool {
	w = strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) && r != '/' }))
	if strings.Contains(w, "://") || strings.HasPrefix(w, "www.") {
		return true
	}
	host, _, _ := strings.Cut(w, "/")
	for _, tld := range []string{".com", ".org", ".net", ".gov", ".edu", ".io", ".co.uk", ".ly", ".me", ".info"} {
		if strings.HasSuffix(host, tld) && len(host) > len(tld)+1 {
			return true
		}
	}
	return false
}

// isNameList reports a sentence that is a list of names rather than
// prose: at least five words and two commas or semicolons, with more than
// three quarters of its words (besides "and") capitalized, as in "Contributors:
// Jane Doe, John Roe, Ann Lee and Bo Chen".
func isNameList(s string) bool {
	if strings.Count(s, ",")+strings.Count(s, ";") < 2 {
		return false
	}
	words, upper := 0, 0
	for _, w := range strings.Fields(s) {
		switch strings.ToLower(strings.Trim(w, ",;.:")) {
		case "and", "&", "und", "y", "et", "e", "og", "och", "":
			continue
		}
		r := firstRune(strings.TrimLeftFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
		if !unicode.IsLetter(r) {
			continue
		}
		if caseless(r) {
			return false // a script without capitals: cannot tell
		}
		words++
		if unicode.IsUpper(r) {
			upper++
		}
	}
	return words >= 5 && 4*upper > 3*words
}
