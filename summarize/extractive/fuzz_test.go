package extractive

import (
	"strings"
	"testing"
)

func FuzzSentences(f *testing.F) {
	for _, s := range []string{
		"Dr. Smith arrived at 3.5 p.m. on Jan. 5. He left.",
		`He said, "Go." Then left.`,
		"- a\n- b",
		"end.Next",
		"He moved to the U.S. The next day.",
		"市長は「本は町の宝です。毎日来てください。」と述べた。初日は混雑した。",
		"กรุงเทพมหานครเปิดสวนสาธารณะแห่งใหม่ริมแม่น้ำ นายสมชาย ใจดี กล่าวว่า",
		"መስመሩ፡ከቦሌ፡እስከ፡መርካቶ፡ይዘልቃል። ተማሪዎች፡በግማሽ፡ዋጋ፡መጓዝ፡ይችላሉ።",
		"La maire a dit « nous sommes prêts. » Plus de 6 000 visiteurs.",
		"\"I was scared. I ran,\" she said. „Wir warten\", sagte sie.",
		"大桥设有双向六车道，大桥设有双向六车道，大桥设有双向六车道，",
		"می\u200cشود و کتاب\u200cها. https://example.com/a/b/c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range Sentences(text) {
			if s == "" {
				t.Fatalf("Sentences(%q): empty sentence", text)
			}
			if !strings.Contains(text, s) {
				t.Fatalf("Sentences(%q): %q is not a substring", text, s)
			}
			if strings.TrimSpace(s) != s {
				t.Fatalf("Sentences(%q): %q is not trimmed", text, s)
			}
		}
		sum := Summarize("", text, Options{})
		for _, s := range append(sum.Sentences, sum.Claims...) {
			if s == "" || !strings.Contains(text, s) {
				t.Fatalf("Summarize(%q): %q is empty or not verbatim", text, s)
			}
		}
	})
}
