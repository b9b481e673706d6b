package llm

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseSummary(t *testing.T) {
	one := []Claim{{Claim: "Rain fell", Quote: "It rained all day."}}
	tests := []struct {
		name    string
		in      string
		summary string
		claims  []Claim
		wantErr bool
	}{
		{"plain", `{"summary": "S.", "claims": [{"claim": "Rain fell", "quote": "It rained all day."}]}`, "S.", one, false},
		{"fenced", "```json\n{\"summary\": \"S.\", \"claims\": [{\"claim\": \"Rain fell\", \"quote\": \"It rained all day.\"}]}\n```", "S.", one, false},
		{"fenced no tag", "```\n{\"summary\": \"S.\", \"claims\": []}\n```", "S.", nil, false},
		{"prose before and after", "Sure! Here it is:\n{\"summary\": \"S.\", \"claims\": [{\"claim\": \"Rain fell\", \"quote\": \"It rained all day.\"}]}\nHope this helps {smile}.", "S.", one, false},
		{"prose with braces before", "Note {this}: {\"summary\": \"S.\"}", "S.", nil, false},
		{"single quotes", `{'summary': 'S.', 'claims': [{'claim': 'Rain fell', 'quote': 'It rained all day.'}]}`, "S.", one, false},
		{"single quotes with apostrophe", `{'summary': "It's wet.", 'claims': [{'claim': 'Rain fell', 'quote': 'It rained all day.',}],}`, "It's wet.", one, false},
		{"single quotes inner apostrophe", `{'summary': 'The city's rain.', 'claims': []}`, "The city's rain.", nil, false},
		{"python literals", `{'summary': 'S.', 'claims': [], 'done': True, 'x': None}`, "S.", nil, false},
		{"text instead of claim", `{"summary": "S.", "claims": [{"text": "Rain fell", "quote": "It rained all day."}]}`, "S.", one, false},
		{"evidence instead of quote", `{"summary": "S.", "claims": [{"statement": "Rain fell", "evidence": "It rained all day."}]}`, "S.", one, false},
		{"claims as strings", `{"summary": "S.", "claims": ["Rain fell"]}`, "S.", []Claim{{Claim: "Rain fell"}}, false},
		{"claim without text uses quote", `{"summary": "S.", "claims": [{"quote": "It rained all day."}]}`, "S.", []Claim{{Claim: "It rained all day.", Quote: "It rained all day."}}, false},
		{"missing claims", `{"summary": "S."}`, "S.", nil, false},
		{"missing summary", `{"claims": [{"claim": "Rain fell", "quote": "It rained all day."}]}`, "", one, false},
		{"summary as list", `{"summary": ["One.", "Two."], "claims": []}`, "One. Two.", nil, false},
		{"upper-case keys", `{"Summary": "S.", "Claims": [{"Claim": "Rain fell", "Quote": "It rained all day."}]}`, "S.", one, false},
		{"nested", `{"brief": {"summary": "S.", "claims": []}}`, "S.", nil, false},
		{"think block", "<think>{\"summary\": \"wrong\"}</think>\n{\"summary\": \"S.\"}", "S.", nil, false},
		{"bad claim items skipped", `{"summary": "S.", "claims": [null, 3, [], {"claim": ""}, {"claim": "Rain fell", "quote": "It rained all day."}]}`, "S.", one, false},
		{"cut short", `{"summary": "S.", "claims": [{"claim": "Rain`, "", nil, true},
		{"control characters", "{\"summary\": \"S\\u0000.\\u001b\", \"claims\": []}", "S.", nil, false},
		{"empty", ``, "", nil, true},
		{"prose only", `I cannot summarize this page.`, "", nil, true},
		{"empty object", `{}`, "", nil, true},
		{"array", `[{"summary": "S."}]`, "S.", nil, false},
		{"wrong types", `{"summary": 5, "claims": {"a": 1}}`, "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			summary, claims, err := ParseSummary(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseSummary(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if summary != tt.summary || !slices.Equal(claims, tt.claims) {
				t.Errorf("ParseSummary(%q) = %q, %+v; want %q, %+v", tt.in, summary, claims, tt.summary, tt.claims)
			}
		})
	}
}

func TestParseSummaryCaps(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"summary": "` + strings.Repeat("x", 10000) + `", "claims": [`)
	for i := range 100 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"claim": "c", "quote": "` + strings.Repeat("q", 4000) + `"}`)
	}
	b.WriteString("]}")
	summary, claims, err := ParseSummary(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(summary); n > maxSummaryRunes+1 {
		t.Errorf("summary has %d runes, want at most %d", n, maxSummaryRunes+1)
	}
	if len(claims) != maxParsedClaims {
		t.Errorf("claims = %d, want capped at %d", len(claims), maxParsedClaims)
	}
	if n := utf8.RuneCountInString(claims[0].Quote); n != maxQuoteRunes {
		t.Errorf("quote has %d runes, want %d", n, maxQuoteRunes)
	}
}

func FuzzParseSummary(f *testing.F) {
	// More seeds, replies seen in the wild, are in testdata/fuzz/FuzzParseSummary.
	f.Add(`{"summary": "S.", "claims": [{"claim": "c", "quote": "q"}]}`)
	f.Add("{'summary': 'S', 'claims': [{'text': 'c',}]}")
	f.Fuzz(func(t *testing.T, s string) {
		summary, claims, err := ParseSummary(s)
		if err != nil {
			if summary != "" || claims != nil {
				t.Fatalf("error %v with results %q %v", err, summary, claims)
			}
			return
		}
		if summary == "" && len(claims) == 0 {
			t.Fatal("success with neither summary nor claims")
		}
		if !utf8.ValidString(summary) || utf8.RuneCountInString(summary) > maxSummaryRunes+1 {
			t.Fatalf("bad summary %q", summary)
		}
		if len(claims) > maxParsedClaims {
			t.Fatalf("%d claims", len(claims))
		}
		for _, c := range claims {
			if c.Claim == "" || !utf8.ValidString(c.Claim) || !utf8.ValidString(c.Quote) ||
				utf8.RuneCountInString(c.Claim) > maxClaimRunes || utf8.RuneCountInString(c.Quote) > maxQuoteRunes ||
				strings.ContainsAny(c.Claim+c.Quote, "\x00\n\x1b\u202e") {
				t.Fatalf("bad claim %+v", c)
			}
		}
	})
}
