package extractive

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// article is a news story in the shape the extractor produces: paragraphs
// separated by blank lines, with the page furniture news sites leave in.
const article = `By . Jane Doe, Science Correspondent .

PUBLISHED: . 09:12 EST, 3 March 2015 . | . UPDATED: . 11:40 EST, 3 March 2015 .

A Nasa spacecraft has captured the largest solar flare seen since 2011, releasing energy equal to millions of hydrogen bombs. The flare erupted on Tuesday from a sunspot group on the sun's eastern edge, scientists at the Goddard Space Flight Center said.

Scroll down for video .

The Solar Dynamics Observatory, launched in February 2010, recorded the eruption in extreme ultraviolet light. Dr. Alex Young, a solar physicist at Goddard, said the flare was classed X2.2, the strongest category.

Flares of this size can disrupt radio communications and GPS signals for about an hour. The National Oceanic and Atmospheric Administration issued a radio blackout warning for the sunlit side of Earth.

The sunspot group, known as AR 2297, has produced 12 smaller flares this week. Scientists expect the sun's activity to decline over the next five years as its 11-year cycle ends.

Pictured: the flare (left) as seen by the observatory on Tuesday.

Share this article: Email Facebook Twitter`

func TestSummarize(t *testing.T) {
	got := Summarize("Nasa spacecraft captures biggest solar flare since 2011", article, Options{})
	if n := len(got.Sentences); n < 2 || n > 5 {
		t.Fatalf("Summarize: %d sentences %q, want 2-5", n, got.Sentences)
	}
	if want := "A Nasa spacecraft has captured the largest solar flare seen since 2011, releasing energy equal to millions of hydrogen bombs."; got.Sentences[0] != want {
		t.Errorf("Summarize: first sentence %q, want the lead %q", got.Sentences[0], want)
	}
	if len(got.Claims) == 0 || len(got.Claims) > DefaultMaxClaims {
		t.Errorf("Summarize: %d claims %q, want 1-%d", len(got.Claims), got.Claims, DefaultMaxClaims)
	}
	pos := -1
	for _, s := range got.Sentences {
		i := strings.Index(article, s)
		if i < 0 {
			t.Errorf("Summarize: sentence %q is not verbatim in the article", s)
		}
		if i <= pos {
			t.Errorf("Summarize: sentence %q is out of article order", s)
		}
		pos = i
	}
	for _, c := range got.Claims {
		if !strings.Contains(article, c) {
			t.Errorf("Summarize: claim %q is not verbatim in the article", c)
		}
	}
}

func TestSummarizeNeverChoosesBoilerplate(t *testing.T) {
	boiler := []string{"By .", "Jane Doe", "PUBLISHED", "UPDATED", "Scroll down", "Share this", "Pictured:"}
	for _, opts := range []Options{{}, {MaxSentences: 10, MaxClaims: 10}} {
		got := Summarize("", article, opts)
		for _, s := range append(got.Sentences, got.Claims...) {
			for _, b := range boiler {
				if strings.Contains(s, b) {
					t.Errorf("Summarize(%+v) chose %q, which contains boilerplate %q", opts, s, b)
				}
			}
		}
	}
}

func TestIsBoilerplate(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Scroll down for video .", true},
		{"SCROLL DOWN FOR VIDEO", true},
		{"By . Daily Mail Reporter .", true},
		{"Daily Mail Reporter .", true},
		{"PUBLISHED: . 12:01 EST, 1 January 2014 .", true},
		{"12:01 EST, 1 January 2014 .", true},
		{"Click here to read more.", true},
		{"CNN's Jane Doe contributed to this report.", true},
		{"Advertisement", true},
		{"By the end of the year prices had doubled, officials said.", false},
		{"The editor of the newspaper resigned on Friday after a row over pay.", false},
		{"Shares rose 5% on Monday.", false},
		{"Atletico Madrid: Oblak; Gimenez, Miranda, Siqueira; Suarez, Tiago, Koke; Griezmann, Torres.", true},
		{"Subs not used: Ansaldi, Bernabe, Cani.", true},
		{"The plan had three parts: cut costs; raise prices; hire more staff; and wait.", false},
	}
	for _, tt := range tests {
		if got := isBoilerplate(tt.in, tokens(tt.in)); got != tt.want {
			t.Errorf("isBoilerplate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestStripDateline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"(CNN) -- The storm hit at dawn.", "The storm hit at dawn."},
		{"(CNN)The storm hit at dawn.", "The storm hit at dawn."},
		{"Charleston, South Carolina (CNN)Police officers escorted the hearse.", "Police officers escorted the hearse."},
		{"Kathmandu, Nepal (CNN)Rescuers pulled a man from the wreckage.", "Rescuers pulled a man from the wreckage."},
		{"Officials in Paris (France) Said nothing.", "Officials in Paris (France) Said nothing."},
		{"LONDON, England (Reuters) - Prices rose.", "Prices rose."},
		{"The storm (a category 4) hit at dawn.", "The storm (a category 4) hit at dawn."},
		{"NASA (the agency) said so.", "NASA (the agency) said so."},
		{"(CNN)", "(CNN)"},
	}
	for _, tt := range tests {
		sp := stripDateline(tt.in, span{0, len(tt.in)})
		if got := tt.in[sp.start:sp.end]; got != tt.want {
			t.Errorf("stripDateline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSummarizeOptions(t *testing.T) {
	tests := []struct {
		opts       Options
		sents, cls int
	}{
		{Options{MaxSentences: 1, MaxClaims: 1}, 1, 1},
		{Options{MaxSentences: 2, MaxClaims: 2}, 2, 2},
		{Options{MaxClaims: 3}, -1, 3},
	}
	for _, tt := range tests {
		got := Summarize("", article, tt.opts)
		if tt.sents >= 0 && len(got.Sentences) != tt.sents {
			t.Errorf("Summarize(%+v): %d sentences, want %d", tt.opts, len(got.Sentences), tt.sents)
		}
		if len(got.Claims) != tt.cls {
			t.Errorf("Summarize(%+v): %d claims, want %d", tt.opts, len(got.Claims), tt.cls)
		}
	}
}

func TestSummarizeLengthFollowsArticle(t *testing.T) {
	short := "The council approved the new park on Monday after a long debate. Work will start in May and cost 2 million pounds. Residents had campaigned for the park since 2019."
	long := longArticle(3000)
	s, l := Summarize("", short, Options{}), Summarize("", long, Options{})
	if len(s.Sentences) < 1 || len(s.Sentences) > 3 {
		t.Errorf("Summarize(short): %d sentences, want 1-3", len(s.Sentences))
	}
	if len(l.Sentences) < len(s.Sentences) {
		t.Errorf("Summarize(long): %d sentences, fewer than the short article's %d", len(l.Sentences), len(s.Sentences))
	}
}

func TestSummarizeRedundancy(t *testing.T) {
	text := "Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday. " +
		"Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday, the club said. " +
		"The former Hearts boss is being given a three-year deal by the Rugby Park club. " +
		"Kilmarnock went unbeaten during his first six games in charge of the team."
	got := Summarize("", text, Options{MaxSentences: 3})
	n := 0
	for _, s := range got.Sentences {
		if strings.HasPrefix(s, "Gary Locke will be confirmed") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("Summarize: %d near-identical sentences chosen in %q, want 1", n, got.Sentences)
	}
}

func TestSummarizeDeterministic(t *testing.T) {
	long := longArticle(2000)
	first := Summarize("Title", long, Options{})
	for i := range 5 {
		if got := Summarize("Title", long, Options{}); !reflect.DeepEqual(got, first) {
			t.Fatalf("Summarize run %d = %q, first run %q", i, got, first)
		}
	}
}

func TestSummarizeHostileInput(t *testing.T) {
	huge := longArticle(2 << 20)
	inputs := map[string]string{
		"empty":        "",
		"spaces":       "   \n\n\t ",
		"punctuation":  strings.Repeat(".!?… ", 1000),
		"dots":         strings.Repeat("a.", 100000),
		"invalid utf8": "\xff\xfe Bad \xc3 bytes. More \xffhere. " + strings.Repeat("\x80", 100),
		"no spaces":    strings.Repeat("x", 1<<20),
		"2 MB article": huge,
		"one word":     "Hello",
		"binary":       string([]byte{0, 1, 2, 3, '.', ' ', 'A', 0, '.'}),
		// Scripts without spaces or full stops: one line of 256 KB each.
		"Chinese without stops": strings.Repeat("大桥设有双向六车道", 10000),
		"Thai without stops":    strings.Repeat("กรุงเทพมหานคร ", 6000),
		"open quotations":       strings.Repeat("「あ。\"b. ", 12000),
		"joiners":               strings.Repeat("\u200c\u200d\u0301", 50000),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			got := Summarize(name, in, Options{})
			for _, s := range append(got.Sentences, got.Claims...) {
				if s == "" || !strings.Contains(in, s) {
					t.Errorf("Summarize(%s): %q is empty or not verbatim", name, truncate(s))
				}
			}
			p, ok := Answer(in, "What did the committee decide about the budget?", 0)
			if ok && len(p) == 0 {
				t.Errorf("Answer(%s): ok with no passages", name)
			}
		})
	}
}

// longArticle builds a deterministic article of about size bytes from varied
// news sentences.
func longArticle(size int) string {
	subjects := []string{"The committee", "Officials in Leeds", "Dr. Patel", "The U.S. Senate", "Residents", "The company"}
	verbs := []string{"approved", "rejected", "debated", "reviewed", "delayed", "funded"}
	objects := []string{"the budget", "a new bridge", "the school plan", "3.5 million pounds of repairs", "the hospital wing", "a tax cut"}
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "%s %s %s on Jan. %d, according to report No. %d. ",
			subjects[i%len(subjects)], verbs[(i/3)%len(verbs)], objects[(i/7)%len(objects)], i%28+1, i)
		if i%5 == 4 {
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

func truncate(s string) string {
	if len(s) <= 80 {
		return s
	}
	for i := 80; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "..."
		}
	}
	return s[:80]
}

func BenchmarkSummarize(b *testing.B) {
	long := longArticle(64 << 10) // about 10,000 words
	b.SetBytes(int64(len(long)))
	for b.Loop() {
		Summarize("Budget news", long, Options{})
	}
}

// TestClaimsAddFacts checks that claims do not merely repeat the summary
// when the article has other sentences full of checkable facts: the brief
// shows both.
func TestClaimsAddFacts(t *testing.T) {
	got := Summarize("Nasa spacecraft captures biggest solar flare since 2011", article, Options{})
	inSummary := map[string]bool{}
	for _, s := range got.Sentences {
		inSummary[s] = true
	}
	repeats := 0
	for _, c := range got.Claims {
		if inSummary[c] {
			repeats++
		}
	}
	if fresh := len(got.Claims) - repeats; fresh < 3 || repeats >= len(got.Sentences) {
		t.Errorf("Summarize: %d of %d claims repeat the summary %q (claims %q), want at least 3 new and not every summary sentence repeated",
			repeats, len(got.Claims), got.Sentences, got.Claims)
	}
}

func TestHeadingsNeverChosen(t *testing.T) {
	text := "Council approves the new river bridge\n\n" +
		"The Riverton city council voted seven to two on Tuesday to approve the new river bridge, ending a debate that lasted more than two decades.\n\n" +
		"What happens next\n\n" +
		"Construction is expected to cost 41.5 million dollars and to start in March, according to the city engineer.\n\n" +
		"- The state pays half of the cost\n" +
		"- A bond approved by voters pays the rest\n"
	got := Summarize("Bridge approved | Riverton Gazette", text, Options{MaxSentences: 4, MaxClaims: 5})
	for _, s := range append(got.Sentences, got.Claims...) {
		if s == "Council approves the new river bridge" || s == "What happens next" {
			t.Errorf("heading %q was chosen", s)
		}
	}
	if len(got.Sentences) == 0 || !strings.HasPrefix(got.Sentences[0], "The Riverton city council voted") {
		t.Errorf("summary = %q, want it to open with the first real sentence", got.Sentences)
	}
	// List items may hold facts: they stay candidates.
	for _, sn := range analyze("", text, "").sents {
		if q := text[sn.start:sn.end]; strings.Contains(q, "state pays half") && sn.boiler {
			t.Errorf("list item %q is never chosen, want it a candidate", q)
		}
	}
}
