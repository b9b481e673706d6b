package pdf

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// result is the text of a document and what its first page says of it.
type result struct {
	text    string
	title   string
	authors string
	paper   bool
}

// rules are the patterns that tell the parts of a paper apart. They are
// compiled per document (microseconds) so that the package does no work
// at start-up.
type rules struct {
	caption    *regexp.Regexp
	keywords   *regexp.Regexp
	references *regexp.Regexp
	abstract   *regexp.Regexp
	pageNum    *regexp.Regexp
	digits     *regexp.Regexp
	section    *regexp.Regexp
	sectionNum *regexp.Regexp
}

func newRules() *rules {
	return &rules{
		caption:    regexp.MustCompile(`^(Figure|Fig\.|FIGURE|FIG\.|Table|TABLE|Listing|Algorithm|Chart|Exhibit)\s*([0-9]+|[IVXLC]+)([.:—–]|$)`),
		keywords:   regexp.MustCompile(`^(Keywords|Key words|Key Words|KEYWORDS|Index Terms|INDEX TERMS|Subject headings|JEL classification|Mathematics Subject Classification)\b`),
		references: regexp.MustCompile(`^(([0-9]+|[IVXLC]+)\.?\s+)?(References|REFERENCES|Bibliography|BIBLIOGRAPHY|Works Cited|Literature Cited|Reference List)$`),
		abstract:   regexp.MustCompile(`^(Abstract|ABSTRACT|Summary|SUMMARY)(\s*[—–:.-]\s*|\s+|$)`),
		pageNum:    regexp.MustCompile(`^(?i)(page\s*)?[0-9ivxlc]{1,5}(\s*(of|/)\s*[0-9]+)?$`),
		digits:     regexp.MustCompile(`[0-9]+`),
		section:    regexp.MustCompile(`^([0-9]+(\.[0-9]+)*\.?|[IVXLC]+\.|[A-Z]\.)\s+\S`),
		sectionNum: regexp.MustCompile(`^([0-9]+(\.[0-9]+)*\.?|[IVXLC]+\.)$`),
	}
}

// bodySize is the font size of most characters.
func bodySize(fs []*frag) float64 {
	count := map[float64]int{}
	for _, f := range fs {
		count[math.Round(f.size*2)/2] += f.chars
	}
	best, n := 10.0, -1
	for s, c := range count {
		if c > n || c == n && s < best {
			best, n = s, c
		}
	}
	return best
}

// assemble orders the fragments of a document into its text. The parts
// a reader skips (title block, captions, footnotes, tables, references)
// are left out; when that would leave out most of the document, the
// layout is not the one these rules know, and everything is kept.
func assemble(all []*frag, npages int) result {
	res := assembleWith(all, npages, true)
	total := 0
	for _, f := range all {
		total += len(strings.Fields(f.text))
	}
	if got := len(strings.Fields(res.text)); got*4 < total {
		loose := assembleWith(all, npages, false)
		loose.title, loose.authors, loose.paper = res.title, res.authors, false
		return loose
	}
	return res
}

func assembleWith(all []*frag, npages int, strict bool) result {
	if len(all) == 0 {
		return result{}
	}
	rx := newRules()
	body := bodySize(all)
	byPage := make([][]*frag, npages)
	for _, f := range all {
		if f.page >= 0 && f.page < npages {
			byPage[f.page] = append(byPage[f.page], f)
		}
	}
	dropMarks(byPage, body)
	dropRunning(rx, byPage, body)

	// Order each page, and note each fragment's block.
	type placed struct {
		f     *frag
		block int
	}
	var seq []placed
	var blockL, blockR []float64
	for _, fs := range byPage {
		for _, b := range readingOrder(fs, 0.8*body) {
			if strict && cellBlock(b) {
				continue
			}
			l, r := math.Inf(1), math.Inf(-1)
			for _, f := range b {
				if f.size >= 0.86*body {
					l = math.Min(l, f.x0)
					r = math.Max(r, f.x1)
				}
			}
			if math.IsInf(l, 1) {
				for _, f := range b {
					l, r = math.Min(l, f.x0), math.Max(r, f.x1)
				}
			}
			id := len(blockL)
			blockL, blockR = append(blockL, l), append(blockR, r)
			for _, f := range b {
				seq = append(seq, placed{f, id})
			}
		}
	}

	// Paragraphs.
	type para struct {
		frags   []*frag
		heading bool
		caption bool
		page    int
	}
	lineSp := lineSpacing(all, body)
	var paras []*para
	var cur *para
	var prev placed
	for i, p := range seq {
		f := p.f
		heading := isHeading(rx, f, body)
		starts := startsBlock(rx, f.text)
		newPara := cur == nil || heading || cur.heading || starts
		if cur != nil && cur.caption && p.block != prev.block {
			newPara = true
		}
		if !newPara {
			pf := prev.f
			sameBlock := p.block == prev.block
			indented := f.x0 > blockL[p.block]+0.6*body && f.x1 > blockL[p.block]+0.6*body
			// The previous line ended early when the first word of this
			// one would have fitted after it.
			prevShort := blockR[prev.block]-pf.x1 > firstWordWidth(f)+0.5*body
			switch {
			case math.Abs(f.size-pf.size) > 0.12*body:
				newPara = true
			case sameBlock && pf.y-f.y > 1.45*lineSp:
				newPara = true
			case indented || prevShort:
				newPara = true
			case !sameBlock && blockR[prev.block]-blockL[prev.block] < 0.8*(blockR[p.block]-blockL[p.block]):
				newPara = true
			}
		}
		if newPara {
			cur = &para{heading: heading, page: f.page, caption: rx.caption.MatchString(f.text)}
			paras = append(paras, cur)
		}
		cur.frags = append(cur.frags, f)
		prev = seq[i]
	}

	// What to keep: the abstract and the sections, not the title block,
	// captions, footnotes, keywords, tables, or references.
	var out []string
	res := result{}
	abstractAt := -1
	for i, p := range paras {
		if p.page == 0 && rx.abstract.MatchString(p.frags[0].text) && len(strings.Fields(p.frags[0].text)) <= 1 || p.page == 0 && rx.abstract.MatchString(p.frags[0].text) && !p.heading && abstractAt < 0 && i < len(paras)/2+1 {
			abstractAt = i
			break
		}
	}
	var titleFrags map[*frag]bool
	res.title, res.authors, titleFrags = titleBlock(byPage[0], body, paras0(paras, abstractAt, func(p *para) []*frag { return p.frags }))
	sections, named, refs := 0, 0, false
	for i, p := range paras {
		if strict && (i < abstractAt || allIn(p.frags, titleFrags)) {
			// The title block is the Article's Title and Byline, not text.
			continue
		}
		text := joinLines(p.frags)
		if text == "" {
			continue
		}
		small := 0
		chars := 0
		for _, f := range p.frags {
			chars += f.chars
			if f.size < 0.86*body {
				small += f.chars
			}
		}
		if strict && small*2 > chars {
			continue
		}
		if strict && rx.references.MatchString(text) {
			refs = true
			break
		}
		if strict && (rx.caption.MatchString(text) || rx.keywords.MatchString(text)) {
			continue
		}
		if strict && isTableLike(p.frags, body) {
			continue
		}
		if p.heading && rx.section.MatchString(text) {
			sections++
		} else if p.heading && i > abstractAt && len(strings.Fields(text)) <= 6 && startsUpper(text) && !endsSentence(text) {
			named++
		}
		if i == abstractAt {
			if m := rx.abstract.FindStringSubmatchIndex(text); m != nil {
				out = append(out, strings.TrimSpace(text[:m[3]]))
				text = strings.TrimSpace(text[m[1]:])
				if text == "" {
					continue
				}
			}
		}
		if p.heading && len(out) > 0 && isNumberOnly(rx, out[len(out)-1]) {
			out[len(out)-1] += " " + text
			continue
		}
		out = append(out, text)
	}
	// Unnumbered headings ("Background", "Discussion") make a paper only
	// under an abstract so called: a report opens with a "Summary" too.
	abstract := abstractAt >= 0 && strings.HasPrefix(strings.ToLower(paras[abstractAt].frags[0].text), "abstract")
	res.paper = abstractAt >= 0 && (sections > 0 || refs) || abstract && named > 0
	res.text = finish(resolveHyphens(strings.Join(out, "\n\n")))
	return res
}

// paras0 returns the fragments of the paragraphs before index n.
func paras0[P any](ps []P, n int, frags func(P) []*frag) []*frag {
	var out []*frag
	for i := 0; i < n && i < len(ps); i++ {
		out = append(out, frags(ps[i])...)
	}
	return out
}

func isNumberOnly(rx *rules, s string) bool {
	return rx.sectionNum.MatchString(s)
}

// lineSpacing is the usual distance between baselines of body lines.
func lineSpacing(fs []*frag, body float64) float64 {
	var ds []float64
	for i := 1; i < len(fs); i++ {
		a, b := fs[i-1], fs[i]
		if a.page != b.page || math.Abs(a.size-body) > 0.5 || math.Abs(b.size-body) > 0.5 {
			continue
		}
		if d := a.y - b.y; d > 0.8*body && d < 2.5*body {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return 1.2 * body
	}
	sort.Float64s(ds)
	return ds[len(ds)/2]
}

// firstWordWidth estimates the width of f's first word.
func firstWordWidth(f *frag) float64 {
	word, _, _ := strings.Cut(f.text, " ")
	if f.chars == 0 {
		return 0
	}
	per := (f.x1 - f.x0) / float64(utf8.RuneCountInString(f.text))
	return per * float64(utf8.RuneCountInString(word))
}

// startsBlock reports a line that begins a part of its own: a caption,
// keywords, the abstract, the references.
func startsBlock(rx *rules, s string) bool {
	return rx.caption.MatchString(s) || rx.keywords.MatchString(s) || rx.abstract.MatchString(s) || rx.references.MatchString(s)
}

// isHeading reports a short bold or large line that does not end like a
// sentence.
func isHeading(rx *rules, f *frag, body float64) bool {
	if f.chars > 90 || len(strings.Fields(f.text)) > 12 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(f.text)
	if last == ',' || last == ';' || last == '-' {
		return false
	}
	if f.bold || f.size > 1.1*body || rx.references.MatchString(f.text) {
		return true
	}
	// "I. INTRODUCTION" (a numbered line in capitals), "3 Results" (a
	// short numbered line in title case).
	if m := rx.section.FindStringIndex(f.text); m != nil && last != '.' && last != ':' {
		rest := f.text[m[1]-1:]
		if strings.ToUpper(rest) == rest && len(strings.Fields(rest)) <= 8 {
			return true
		}
		return startsUpper(rest) && f.chars < 40 && len(strings.Fields(rest)) <= 5
	}
	return false
}

func endsSentence(s string) bool {
	last, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?:”\"'", last)
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// dropMarks removes small raised text beside a line: footnote markers
// and superscripts.
func dropMarks(byPage [][]*frag, body float64) {
	for pi, fs := range byPage {
		if len(fs) > maxCutFrags {
			continue
		}
		keep := fs[:0]
		for _, f := range fs {
			if f.size < 0.8*body && f.chars <= 4 && raisedBeside(f, fs) {
				continue
			}
			keep = append(keep, f)
		}
		byPage[pi] = keep
	}
}

func raisedBeside(f *frag, fs []*frag) bool {
	for _, g := range fs {
		if g == f || g.size <= f.size*1.1 {
			continue
		}
		if f.y > g.y+0.1*g.size && f.y < g.y+0.9*g.size && f.x0 >= g.x0-2*g.size && f.x0 <= g.x1+1.5 {
			return true
		}
	}
	return false
}

// dropRunning removes running heads and feet: text at the top or bottom
// edge of a page, set apart from the rest, that repeats on other pages or
// is a page number.
func dropRunning(rx *rules, byPage [][]*frag, body float64) {
	key := func(f *frag) string { return strings.ToLower(rx.digits.ReplaceAllString(f.text, "#")) }
	seen := map[string]int{}
	for _, fs := range byPage {
		here := map[string]bool{}
		for _, f := range fs {
			if edge(f, fs, body) != 0 && !here[key(f)] {
				here[key(f)] = true
				seen[key(f)]++
			}
		}
	}
	for pi, fs := range byPage {
		keep := fs[:0]
		for _, f := range fs {
			if e := edge(f, fs, body); e != 0 {
				// A heading at the top of a column is set apart too, but
				// is text: only repeats, page numbers and unnumbered
				// lines that are not bold go.
				lone := apart(f, fs, e, body) && !f.bold && !rx.section.MatchString(f.text)
				if f.size <= 1.05*body && (seen[key(f)] > 1 || rx.pageNum.MatchString(f.text) || lone) {
					continue
				}
			}
			keep = append(keep, f)
		}
		byPage[pi] = keep
	}
}

// edge says whether f lies in the top (1) or bottom (-1) margin band of
// its page, or neither (0).
func edge(f *frag, fs []*frag, body float64) int {
	h := f.pageH
	if h <= 0 {
		return 0
	}
	switch {
	case f.y > h-0.12*h:
		return 1
	case f.y < 0.1*h:
		return -1
	}
	return 0
}

// apart reports that nothing else on the page comes within about two
// lines of f on the inner side: a head or foot, not the first or last
// line of the text.
func apart(f *frag, fs []*frag, dir int, body float64) bool {
	nearest := math.Inf(1)
	for _, g := range fs {
		if g == f || math.Abs(g.y-f.y) < 0.3*body {
			continue
		}
		d := (f.y - g.y) * float64(dir)
		if d > 0 && d < nearest {
			nearest = d
		}
	}
	return nearest > 2.0*body
}

// cellBlock reports a block of short scraps: a column of a table, the
// labels of a figure.
func cellBlock(b []*frag) bool {
	if len(b) < 3 {
		return false
	}
	short := 0
	for _, f := range b {
		if f.chars < 20 && !endsSentence(f.text) {
			short++
		}
	}
	return short*4 >= len(b)*3
}

// isTableLike reports a block of cells rather than prose: several short
// fragments side by side on the same baselines.
func isTableLike(fs []*frag, body float64) bool {
	if len(fs) < 2 || len(fs) > 400 {
		return false
	}
	shared := 0
	short := 0
	for i, f := range fs {
		if f.chars < 30 {
			short++
		}
		for j, g := range fs {
			if i != j && math.Abs(f.y-g.y) < 0.3*body {
				shared++
				break
			}
		}
	}
	return shared*2 > len(fs) && short*2 > len(fs)
}

// titleBlock finds the title (the largest type near the top of the first
// page) and the authors (the line after it) among frags before the
// abstract.
func titleBlock(page0 []*frag, body float64, before []*frag) (title, authors string, frags map[*frag]bool) {
	cands := before
	if len(cands) == 0 {
		cands = page0
	}
	maxSize := 0.0
	for _, f := range cands {
		if f.y > f.pageH*0.4 && f.size > maxSize {
			maxSize = f.size
		}
	}
	if maxSize < 1.15*body {
		return "", "", nil
	}
	var parts []string
	last := -1
	frags = map[*frag]bool{}
	for i, f := range cands {
		if math.Abs(f.size-maxSize) < 0.5 && f.y > f.pageH*0.4 {
			parts = append(parts, f.text)
			frags[f] = true
			last = i
		}
	}
	title = strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
	if len(before) > 0 {
		authors = authorLines(page0, frags, maxSize, body)
	}
	if len(before) > 0 && authors == "" {
		for _, f := range before[last+1:] {
			t := f.text
			if len(strings.Fields(t)) <= 12 && !strings.ContainsAny(t, "@0123456789") && f.size >= 0.9*body {
				authors = strings.TrimSpace(strings.Trim(t, "∗*†‡ "))
				break
			}
		}
	}
	return title, authors, frags
}

// authorLines reads the names under a title: the first line of text
// below it, whose names may stand side by side or be cut by affiliation
// marks into several fragments, and the lines under it set in the same
// size (names one a line), down to the first line that is not names (an
// affiliation in smaller type, an e-mail, a date). It returns "" when the
// first line does not look like names.
func authorLines(page0 []*frag, title map[*frag]bool, titleSize, body float64) string {
	bottom := math.Inf(1)
	for f := range title {
		bottom = math.Min(bottom, f.y)
	}
	var cands []*frag
	for _, f := range page0 {
		if !title[f] && f.y < bottom-0.3*titleSize && f.y > bottom-5*titleSize && f.size >= 0.9*body &&
			strings.IndexFunc(f.text, unicode.IsLetter) >= 0 {
			cands = append(cands, f)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if math.Abs(cands[i].y-cands[j].y) > 0.3*cands[i].size {
			return cands[i].y > cands[j].y
		}
		return cands[i].x0 < cands[j].x0
	})
	var names []string
	lineY, lineSize := 0.0, 0.0
	for i := 0; i < len(cands); {
		first := cands[i]
		if len(names) > 0 && (math.Abs(first.size-lineSize) > 0.5 || lineY-first.y > 2.2*lineSize) {
			break
		}
		j := i
		var parts []string
		for ; j < len(cands) && math.Abs(cands[j].y-first.y) <= 0.3*first.size; j++ {
			for _, p := range strings.Split(cands[j].text, ",") {
				if p = strings.TrimSpace(strings.Trim(p, "∗*†‡§¶ ")); p != "" {
					parts = append(parts, p)
				}
			}
		}
		if !looksLikeNames(parts) {
			break
		}
		names = append(names, parts...)
		lineY, lineSize = first.y, first.size
		i = j
	}
	return strings.Join(names, ", ")
}

// looksLikeNames reports a line of a title block that names people: a
// few short parts, no digits, no e-mail, no institution.
func looksLikeNames(parts []string) bool {
	if len(parts) == 0 {
		return false
	}
	for _, p := range parts {
		if len(strings.Fields(p)) > 5 || strings.ContainsAny(p, "@0123456789") {
			return false
		}
		for _, w := range strings.Fields(p) {
			switch strings.ToLower(strings.Trim(w, ".")) {
			case "university", "universität", "université", "universidad", "institute", "institut", "college",
				"department", "dept", "school", "laboratory", "lab", "faculty", "centre", "center", "group",
				"inc", "ltd", "gmbh", "corporation", "abstract":
				return false
			}
		}
	}
	return true
}

// allIn reports whether every fragment is in set.
func allIn(fs []*frag, set map[*frag]bool) bool {
	if len(set) == 0 {
		return false
	}
	for _, f := range fs {
		if !set[f] {
			return false
		}
	}
	return true
}

// softHyphen marks where joinLines took a hyphen off a line end, for
// finish to decide between "hyphen-ation" and "well-known".
const softHyphen = '\uE000'

// joinLines makes a paragraph of lines. A line that ends in a hyphen
// before a lower-case letter is joined to the next without a space, the
// place marked with softHyphen.
func joinLines(fs []*frag) string {
	var b []byte
	for i, f := range fs {
		t := f.text
		if i > 0 {
			last, n := utf8.DecodeLastRune(b)
			if last == '-' || last == '\u00AD' {
				r, _ := utf8.DecodeRuneInString(t)
				before, _ := utf8.DecodeLastRune(b[:len(b)-n])
				if unicode.IsLetter(before) && unicode.IsLower(r) {
					b = utf8.AppendRune(b[:len(b)-n], softHyphen)
				}
			} else {
				b = append(b, ' ')
			}
		}
		b = append(b, t...)
	}
	return string(b)
}

// resolveHyphens decides each softHyphen of text: the word is written
// with its hyphen when the document writes it so elsewhere ("well-known")
// and never without, else joined ("hyphenation"), as TeX's hyphenation
// of plain words is the common case.
func resolveHyphens(text string) string {
	if !strings.ContainsRune(text, softHyphen) {
		return text
	}
	trim := func(w string) string {
		return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' && r != softHyphen })
	}
	hyphenated, plain := map[string]bool{}, map[string]bool{}
	for _, w := range strings.Fields(text) {
		w = strings.ToLower(trim(w))
		if strings.ContainsRune(w, softHyphen) {
			continue
		}
		if strings.Contains(w, "-") {
			hyphenated[w] = true
		} else {
			plain[w] = true
		}
	}
	var out strings.Builder
	for len(text) > 0 {
		i := strings.IndexRune(text, softHyphen)
		if i < 0 {
			out.WriteString(text)
			break
		}
		start := strings.LastIndexFunc(text[:i], unicode.IsSpace) + 1
		end := len(text)
		if e := strings.IndexFunc(text[i:], unicode.IsSpace); e >= 0 {
			end = i + e
		}
		w := text[start:end]
		core := strings.ToLower(trim(w))
		sep := ""
		if hyphenated[strings.ReplaceAll(core, string(softHyphen), "-")] && !plain[strings.ReplaceAll(core, string(softHyphen), "")] {
			sep = "-"
		}
		out.WriteString(text[:start])
		out.WriteString(strings.ReplaceAll(w, string(softHyphen), sep))
		text = text[end:]
	}
	return out.String()
}

// ligatureText lists what finish replaces: ligatures by their letters,
// invisible and no-break characters by nothing or a space.
var ligatureText = [...]string{"ﬀ", "ff", "ﬁ", "fi", "ﬂ", "fl", "ﬃ", "ffi", "ﬄ", "ffl", "ﬅ", "st", "ﬆ", "st",
	"\u00A0", " ", "\u00AD", "", "\u200B", "", "\uFFFD", ""}

// finish normalizes the text: ligatures as letters, single spaces.
func finish(s string) string {
	s = strings.NewReplacer(ligatureText[:]...).Replace(s)
	paras := strings.Split(s, "\n\n")
	out := paras[:0]
	for _, p := range paras {
		p = strings.Join(strings.Fields(p), " ")
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}
