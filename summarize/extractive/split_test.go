package extractive

import (
	"slices"
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"blank", " \n\t\n ", nil},
		{"one without period", "Hello world", []string{"Hello world"}},
		{"abbreviations, decimal, times and dates",
			"Dr. Smith arrived at 3.5 p.m. on Jan. 5. He left.",
			[]string{"Dr. Smith arrived at 3.5 p.m. on Jan. 5.", "He left."}},
		{"quote closes the sentence",
			`He said, "Go." Then left.`,
			[]string{`He said, "Go."`, "Then left."}},
		{"curly quotes",
			"‘I’m fine,’ she said. ‘Really.’ He nodded.",
			[]string{"‘I’m fine,’ she said.", "‘Really.’", "He nodded."}},
		{"quote continues with lower case",
			`"Go." he said. Fine.`,
			[]string{`"Go." he said.`, "Fine."}},
		{"ellipsis before lower case stays",
			"Wait... what happened? Nothing.",
			[]string{"Wait... what happened?", "Nothing."}},
		{"ellipsis before capital ends",
			"I waited… Then I left.",
			[]string{"I waited…", "Then I left."}},
		{"bullets", "- a\n- b", []string{"a", "b"}},
		{"bullets with other markers",
			"Key points:\n• Prices rose 3.2%.\n* Jobs grew.\n1. First item\n2) Second item",
			[]string{"Key points:", "Prices rose 3.2%.", "Jobs grew.", "First item", "Second item"}},
		{"missing space", "It was the end.Next came more.",
			[]string{"It was the end.", "Next came more."}},
		{"domains and initialisms without space stay",
			"Visit www.example.Com today. It is e.g.Fine here.",
			[]string{"Visit www.example.Com today.", "It is e.g.Fine here."}},
		{"U.S. in mid-sentence",
			"The U.S. Army said it would help.",
			[]string{"The U.S. Army said it would help."}},
		{"U.S. at the end of a sentence",
			"He moved to the U.S. The next day he started work.",
			[]string{"He moved to the U.S.", "The next day he started work."}},
		{"U.S. at the end of the text", "He lives in the U.S.", []string{"He lives in the U.S."}},
		{"initials", "J. K. Rowling wrote it. Plan B. The end.",
			[]string{"J. K. Rowling wrote it.", "Plan B.", "The end."}},
		{"No. before a number", "He was No. 1 in the world. The answer was no. Then he left.",
			[]string{"He was No. 1 in the world.", "The answer was no.", "Then he left."}},
		{"question and exclamation", "Really? Yes! It works.",
			[]string{"Really?", "Yes!", "It works."}},
		{"lower case after period continues", "The rate was 5 pct. in March.",
			[]string{"The rate was 5 pct. in March."}},
		{"stray period joins the sentence",
			"Scroll down for video . . Filmmaker Michael König made it.",
			[]string{"Scroll down for video . .", "Filmmaker Michael König made it."}},
		{"paragraphs",
			"First paragraph ends here.\n\nSecond one starts. And ends.",
			[]string{"First paragraph ends here.", "Second one starts.", "And ends."}},
		{"hard-wrapped paragraph",
			"The committee met on Tuesday to discuss the budget for the coming\nyear and agreed on a plan. It will vote later.",
			[]string{"The committee met on Tuesday to discuss the budget for the coming\nyear and agreed on a plan.", "It will vote later."}},
		{"short heading line",
			"Background\nThe dispute began in 2019 when the council changed its rules.",
			[]string{"Background", "The dispute began in 2019 when the council changed its rules."}},
		{"brackets and digits start sentences",
			"It ended. (The vote was close.) 2024 was busy.",
			[]string{"It ended.", "(The vote was close.)", "2024 was busy."}},
		{"months and companies",
			"Apple Inc. said on Sept. 3 that sales rose. Shares of Acme Corp. The rest fell.",
			[]string{"Apple Inc. said on Sept. 3 that sales rose.", "Shares of Acme Corp.", "The rest fell."}},
		{"only punctuation", "... !!! ???", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sentences(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			for _, s := range got {
				if s == "" || !strings.Contains(tt.in, s) {
					t.Errorf("Sentences(%q): %q is empty or not a substring", tt.in, s)
				}
			}
		})
	}
}

func TestBulletLen(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"- a", 2}, {"• a", len("• ")}, {"12. a", 4}, {"b) a", 3},
		{"-a", 0}, {"1234. a", 0}, {"2015 was", 0}, {"", 0}, {"-", 0},
	}
	for _, tt := range tests {
		if got := bulletLen(tt.in); got != tt.want {
			t.Errorf("bulletLen(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
