package summarize

import (
	"strings"
	"testing"
)

// FuzzVerifyClaims feeds model-made quotes (untrusted) against articles in
// several scripts: a kept quote is always the article's own text, and
// nothing panics.
func FuzzVerifyClaims(f *testing.F) {
	for _, s := range [][2]string{
		{"The council voted seven to two on Tuesday.", "voted seven to two"},
		{"北浜市は3日、駅前に新しい市立図書館を開館した。", "新しい市立図書館"},
		{"در این کتابخانه نگه\u200cداری می\u200cشود.", "نگهداری میشود"},
		{"መስመሩ፡ከቦሌ፡እስከ፡መርካቶ፡ይዘልቃል።", "ከቦሌ፡እስከ፡መርካቶ"},
		{"He said \u201cgo\u201d \u2026 and left the room quietly.", "\"go\" ... and left the room"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, article, quote string) {
		kept, _ := verifyClaims(article, []Claim{{Text: "c", Quote: quote}}, 5)
		for _, c := range kept {
			for _, part := range strings.Split(c.Quote, " … ") {
				if !strings.Contains(article, part) {
					t.Fatalf("verifyClaims(%q, %q): quote part %q is not the article's text", article, quote, part)
				}
			}
		}
		groundAnswer(article, "As it says, \""+quote+"\".")
	})
}
