package commands

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/linkbrief/linkbrief/summarize"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkLimits fails the test when e breaks any of Discord's embed limits.
func checkLimits(t *testing.T, name string, e Embed) {
	t.Helper()
	for _, c := range []struct {
		what string
		s    string
		max  int
	}{{"title", e.Title, MaxEmbedTitle}, {"description", e.Description, MaxEmbedDescription}, {"footer", e.Footer, MaxFooter}} {
		if Len(c.s) > c.max {
			t.Errorf("%s: %s is %d units, want <= %d", name, c.what, Len(c.s), c.max)
		}
		if !utf8.ValidString(c.s) {
			t.Errorf("%s: %s is not valid UTF-8", name, c.what)
		}
	}
	if len(e.Fields) > MaxFields {
		t.Errorf("%s: %d fields, want <= %d", name, len(e.Fields), MaxFields)
	}
	for i, f := range e.Fields {
		if Len(f.Name) > MaxFieldName || Len(f.Value) > MaxFieldValue {
			t.Errorf("%s: field %d is %d/%d units, want <= %d/%d", name, i, Len(f.Name), Len(f.Value), MaxFieldName, MaxFieldValue)
		}
		if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "" {
			t.Errorf("%s: field %d has an empty name or value", name, i)
		}
		if !utf8.ValidString(f.Name) || !utf8.ValidString(f.Value) {
			t.Errorf("%s: field %d is not valid UTF-8", name, i)
		}
	}
	if n := total(e); n > MaxEmbedTotal {
		t.Errorf("%s: embed total is %d units, want <= %d", name, n, MaxEmbedTotal)
	}
	if e.Title == "" || e.Description == "" {
		t.Errorf("%s: empty title or description", name)
	}
}

func renderCases() map[string]*summarize.Brief {
	claims := func(n int, text, quote string) []summarize.Claim {
		var cs []summarize.Claim
		for i := 0; i < n; i++ {
			cs = append(cs, summarize.Claim{Text: text, Quote: quote})
		}
		return cs
	}
	return map[string]*summarize.Brief{
		"plain": {
			URL: "https://example.com/news/rates", Title: "Central bank holds rates", Site: "Example News",
			Summary: "The central bank kept its rate at 4.5%. It cited slowing inflation.",
			Claims: []summarize.Claim{
				{Text: "Rates stay at 4.5%.", Quote: "The bank kept its main rate at 4.5% on Tuesday."},
				{Text: "Inflation is slowing.", Quote: "Inflation slowed to 2.1% in May,\n said the governor."},
			},
			Backend: "llm", Model: "gpt-test", Cached: true, Words: 900,
		},
		"long": {
			URL: "https://example.com/long", Title: strings.Repeat("Very long title ", 40),
			Summary: strings.Repeat("A sentence that goes on and on. ", 300),
			Claims:  claims(30, strings.Repeat("claim ", 80), strings.Repeat("quoted words ", 200)),
			Backend: "extractive", Truncated: true, Words: 20000,
			Note: "The language model could not be used (quota exhausted), so this brief was written offline.",
		},
		"multibyte": {
			URL: "https://例え.jp/記事", Title: strings.Repeat("日本語のタイトル😀", 40), Site: "ニュース",
			Summary: strings.Repeat("絵文字👩‍👩‍👧‍👦と漢字の要約。", 400),
			Claims:  claims(8, strings.Repeat("主張😀", 100), strings.Repeat("引用された文章🎉", 200)),
			Backend: "llm", Words: 10,
		},
		"mentions": {
			URL: "https://example.com/m", Title: "@everyone look <@123>",
			Summary: "Ping @here and <@&456> and <@!789>; click [safe](https://evil.example/).",
			Claims:  []summarize.Claim{{Text: "@everyone", Quote: "<@123> said so"}},
			Site:    "@here", Backend: "extractive",
		},
		"empty": {URL: "https://example.org/page", Backend: "extractive"},
	}
}

func TestRenderBriefGolden(t *testing.T) {
	for name, b := range renderCases() {
		t.Run(name, func(t *testing.T) {
			e := RenderBrief(b)
			checkLimits(t, name, e)
			got, err := json.MarshalIndent(e, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "render-"+name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run go test -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("RenderBrief(%s) differs from %s:\ngot:\n%s\nwant:\n%s", name, path, got, want)
			}
		})
	}
}

func TestRenderBriefNeutralizesMentions(t *testing.T) {
	e := RenderBrief(renderCases()["mentions"])
	all := e.Title + e.Description + e.Footer
	for _, f := range e.Fields {
		all += f.Name + f.Value
	}
	for _, bad := range []string{"@everyone", "@here", "<@123>", "<@&456>", "<@!789>", "](https://evil"} {
		if strings.Contains(all, bad) {
			t.Errorf("rendered embed contains %q; want it neutralized:\n%s", bad, all)
		}
	}
}

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"@everyone", "@\u200beveryone"},
		{"@EveryOne hi", "@\u200bEveryOne hi"},
		{"@here", "@\u200bhere"},
		{"<@123>", "<@\u200b123>"},
		{"<@!123>", "<@\u200b!123>"},
		{"<@&123>", "<@\u200b&123>"},
		{"mail a@example.com", "mail a@example.com"},
		{"https://medium.com/@someone/post", "https://medium.com/@someone/post"},
		{"[a](b)", "[a]\u200b(b)"},
		{"bell\a and\r\nline", "bell and\nline"},
		{"bad \xff byte", "bad \uFFFD byte"},
	}
	for _, tt := range tests {
		if got := Neutralize(tt.in); got != tt.want {
			t.Errorf("Neutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"  padded  ", 6, "padded"},
		{"exactly ten", 11, "exactly ten"},
		{"hello world", 8, "hello…"},
		{"😀😀😀", 4, "😀…"}, // each emoji is 2 UTF-16 units
		{"😀😀😀", 6, "😀😀😀"},
		{"日本語です", 3, "日本…"},
		{"abc", 0, ""},
	}
	for _, tt := range tests {
		got := Truncate(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if Len(got) > tt.max {
			t.Errorf("Truncate(%q, %d) is %d units long", tt.in, tt.max, Len(got))
		}
	}
}

func TestThreadName(t *testing.T) {
	tests := []struct{ title, url, want string }{
		{"A title", "https://example.com/", "A title"},
		{"  multi\nline\ttitle ", "https://example.com/", "multi line title"},
		{"", "https://www.example.com/a", "example.com"},
		{"", "not a url", "Linkbrief"},
		{strings.Repeat("ü", 150), "", strings.Repeat("ü", 99) + "…"},
	}
	for _, tt := range tests {
		if got := ThreadName(tt.title, tt.url); got != tt.want {
			t.Errorf("ThreadName(%q, %q) = %q, want %q", tt.title, tt.url, got, tt.want)
		}
	}
}

func TestTextLimit(t *testing.T) {
	got := Text(strings.Repeat("🎉 @everyone ", 500))
	if Len(got) > MaxContent {
		t.Errorf("Text(long) is %d units, want <= %d", Len(got), MaxContent)
	}
	if strings.Contains(got, "@everyone") {
		t.Errorf("Text(long) contains a live @everyone")
	}
}

func FuzzRenderBrief(f *testing.F) {
	f.Add("title", "summary", "claim", "quote", 3)
	f.Add(strings.Repeat("😀", 300), strings.Repeat("x ", 4000), strings.Repeat("y", 900), strings.Repeat("z ", 900), 30)
	f.Fuzz(func(t *testing.T, title, summary, claim, quote string, n int) {
		n = max(0, min(n, 40))
		b := &summarize.Brief{Title: title, Summary: summary, URL: "https://example.com/"}
		for i := 0; i < n; i++ {
			b.Claims = append(b.Claims, summarize.Claim{Text: claim, Quote: quote})
		}
		checkLimits(t, "fuzz", RenderBrief(b))
	})
}

func TestRenderClaimThatIsItsOwnQuote(t *testing.T) {
	q := "The bank kept its main rate at 4.5% on Tuesday."
	e := RenderBrief(&summarize.Brief{Title: "Rates", URL: "https://example.com/r", Summary: "Rates held.",
		Backend: "extractive", Claims: []summarize.Claim{{Text: q, Quote: q}, {Text: "Inflation slowed.", Quote: "Inflation slowed to 2.1% in May."}}})
	if len(e.Fields) != 2 {
		t.Fatalf("fields = %+v, want 2", e.Fields)
	}
	if e.Fields[0].Name != "Key claim 1" || e.Fields[0].Value != "> "+q {
		t.Errorf("field 1 = %+v, want the quote once under \"Key claim 1\"", e.Fields[0])
	}
	if e.Fields[1].Name != "2. Inflation slowed." {
		t.Errorf("field 2 name = %q, want the claim's own words", e.Fields[1].Name)
	}
}

func TestRenderClaimLinksItsMoment(t *testing.T) {
	q := "the council approved the bridge after twenty years of debate"
	long := strings.Repeat("word ", 400)
	e := RenderBrief(&summarize.Brief{Title: "Video", URL: "https://www.youtube.com/watch?v=abcdefghijk", Summary: "A video.",
		Kind: "video", Backend: "extractive", Claims: []summarize.Claim{
			{Text: q, Quote: q, URL: "https://www.youtube.com/watch?v=abcdefghijk&t=123s"},
			{Text: "Long.", Quote: long, URL: "https://www.youtube.com/watch?v=abcdefghijk&t=5s"},
			{Text: "Bad link.", Quote: q + " again", URL: "javascript:alert(1)"},
		}})
	if len(e.Fields) != 3 {
		t.Fatalf("fields = %+v, want 3", e.Fields)
	}
	want := "> " + q + "\n[▶ at this moment](https://www.youtube.com/watch?v=abcdefghijk&t=123s)"
	if e.Fields[0].Value != want {
		t.Errorf("field 1 = %q, want %q", e.Fields[0].Value, want)
	}
	if v := e.Fields[1].Value; Len(v) > MaxFieldValue || !strings.HasSuffix(v, "&t=5s)") {
		t.Errorf("long quote field (%d units) = %.60q…, want within %d with the link kept", Len(v), v, MaxFieldValue)
	}
	if strings.Contains(e.Fields[2].Value, "javascript") {
		t.Errorf("field 3 = %q, want no link that is not http(s)", e.Fields[2].Value)
	}
}
