package summarize

import (
	"strings"
	"testing"
)

const article = `The council voted 7–2 on Tuesday to approve the new bridge.

“We have waited for this since 1998,” said Mayor Ana Ruiz, who called the vote historic.
Construction   is expected to cost $41.5 million
and to start in March.

Critics said the plate of costs was too high.`

func TestVerifyClaims(t *testing.T) {
	tests := []struct {
		name      string
		quote     string
		wantQuote string // "" = dropped
	}{
		{"verbatim", "The council voted 7–2 on Tuesday to approve the new bridge.",
			"The council voted 7–2 on Tuesday to approve the new bridge."},
		{"fabricated", "The council voted unanimously to reject the bridge.", ""},
		{"paraphrased", "The council approved the new bridge on Tuesday by 7 to 2.", ""},
		{"re-quoted with straight quotes", `"We have waited for this since 1998," said Mayor Ana Ruiz`,
			`“We have waited for this since 1998,” said Mayor Ana Ruiz`},
		{"wrapped in extra quotation marks", `“Construction is expected to cost $41.5 million”`,
			"Construction   is expected to cost $41.5 million"},
		{"whitespace mangled across a line break", "cost $41.5 million and to start in March",
			"cost $41.5 million\nand to start in March"},
		{"dash and case folded", "the council voted 7-2 on tuesday", "The council voted 7–2 on Tuesday"},
		{"ellipsis joins two real parts", "The council voted 7–2 on Tuesday … said Mayor Ana Ruiz, who called the vote historic",
			"The council voted 7–2 on Tuesday … said Mayor Ana Ruiz, who called the vote historic"},
		{"ellipsis with one fabricated part", "The council voted 7–2 … and the mayor resigned in protest", ""},
		{"too short to prove anything", "the new", ""},
		{"not at a word boundary", "ate of costs was too", ""},
		{"empty", "", ""},
		{"only quotation marks", `""`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dropped := verifyClaims(article, []Claim{{Text: "a claim", Quote: tt.quote}}, 5)
			if tt.wantQuote == "" {
				if len(got) != 0 || dropped != 1 {
					t.Fatalf("verifyClaims(quote %q) kept %+v, want it dropped", tt.quote, got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("verifyClaims(quote %q) dropped it, want kept as %q", tt.quote, tt.wantQuote)
			}
			if got[0].Quote != tt.wantQuote {
				t.Errorf("verifyClaims(quote %q) quote = %q, want the article's words %q", tt.quote, got[0].Quote, tt.wantQuote)
			}
			if !strings.Contains(article, strings.Split(got[0].Quote, " … ")[0]) {
				t.Errorf("quote %q is not verbatim article text", got[0].Quote)
			}
		})
	}
}

func TestVerifyClaimsLimitsAndDuplicates(t *testing.T) {
	q := "The council voted 7–2 on Tuesday to approve the new bridge."
	claims := []Claim{
		{Text: "", Quote: q},
		{Text: "one", Quote: q},
		{Text: "same quote again", Quote: q},
		{Text: "two", Quote: "Critics said the plate of costs was too high."},
		{Text: "three", Quote: "Construction is expected to cost $41.5 million"},
	}
	got, _ := verifyClaims(article, claims, 2)
	if len(got) != 2 || got[0].Text != "one" || got[1].Text != "two" {
		t.Fatalf("verifyClaims kept %+v, want claims one and two", got)
	}
	if claims := got; claims[0].Text != cleanText(claims[0].Text) {
		t.Errorf("claim text not cleaned: %q", claims[0].Text)
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"  a\n\tb\x00c\u200b  ": "a bc",
		"line\r\nbreak":         "line break",
		"":                      "",
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGroundAnswer(t *testing.T) {
	tests := []struct {
		name, answer string
		wantOK       bool
		wantContains string
		wantAbsent   string
	}{
		{"real quote kept", `The mayor said "We have waited for this since 1998" about the vote.`, true, "since 1998", ""},
		{"fabricated quote line dropped",
			"The vote passed 7–2.\nThe mayor said \"this bridge will double our tax revenue by 2030\".",
			true, "passed 7–2", "tax revenue"},
		{"only a fabricated quote", `The mayor said "this bridge will double our tax revenue by 2030".`, false, "", ""},
		{"doesn't say", "The article doesn't say.", true, NotSaid, ""},
		{"empty", "   ", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, ok := groundAnswer(article, tt.answer)
			if ok != tt.wantOK {
				t.Fatalf("groundAnswer(%q) ok = %v, want %v (text %q)", tt.answer, ok, tt.wantOK, got)
			}
			if tt.wantContains != "" && !strings.Contains(got, tt.wantContains) {
				t.Errorf("groundAnswer(%q) = %q, want it to contain %q", tt.answer, got, tt.wantContains)
			}
			if tt.wantAbsent != "" && strings.Contains(got, tt.wantAbsent) {
				t.Errorf("groundAnswer(%q) = %q, want %q removed", tt.answer, got, tt.wantAbsent)
			}
		})
	}
}

// TestVerifyClaimsScripts keeps quotes in scripts written without spaces
// (a whole sentence is one "field") and returns Persian quotes with their
// zero-width non-joiners, as the source spells them.
func TestVerifyClaimsScripts(t *testing.T) {
	tests := []struct {
		article, quote, want string
		ok                   bool
	}{
		{"北浜市は3日、駅前に新しい市立図書館を開館した。建設費は約42億円だ。",
			"建設費は約42億円だ。", "建設費は約42億円だ。", true},
		{"北浜市は3日、駅前に新しい市立図書館を開館した。", "新しい市立図書館", "新しい市立図書館", true},
		// Too short to prove anything.
		{"北浜市は3日、駅前に新しい市立図書館を開館した。", "図書館", "", false},
		{"กรุงเทพมหานครเปิดสวนสาธารณะแห่งใหม่ริมแม่น้ำเจ้าพระยา", "สวนสาธารณะแห่งใหม่", "สวนสาธารณะแห่งใหม่", true},
		// A model that drops the joiners still finds the source's words.
		{"در این کتابخانه بیش از ۲۰۰ هزار جلد کتاب نگه\u200cداری می\u200cشود.",
			"بیش از ۲۰۰ هزار جلد کتاب نگهداری میشود", "بیش از ۲۰۰ هزار جلد کتاب نگه\u200cداری می\u200cشود", true},
		{"የአዲስ፡አበባ፡ከተማ፡አስተዳደር፡አዲስ፡የአውቶቡስ፡መስመር፡መከፈቱን፡ዛሬ፡አስታወቀ።",
			"አዲስ፡የአውቶቡስ፡መስመር", "አዲስ፡የአውቶቡስ፡መስመር", true},
	}
	for _, tt := range tests {
		got, dropped := verifyClaims(tt.article, []Claim{{Text: "claim", Quote: tt.quote}}, 5)
		if tt.ok != (len(got) == 1) || (tt.ok && got[0].Quote != tt.want) {
			t.Errorf("verifyClaims(%q, quote %q) = %q (dropped %d), want quote %q kept %v", tt.article, tt.quote, got, dropped, tt.want, tt.ok)
		}
	}
}
