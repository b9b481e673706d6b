package extractive

import (
	"strings"
	"testing"
)

func TestAnswer(t *testing.T) {
	tests := []struct {
		question string
		ok       bool
		want     string // a passage that must be among the answers
	}{
		{"When was the Solar Dynamics Observatory launched?", true, "The Solar Dynamics Observatory, launched in February 2010, recorded the eruption in extreme ultraviolet light."},
		{"What class was the flare?", true, "Dr. Alex Young, a solar physicist at Goddard, said the flare was classed X2.2, the strongest category."},
		{"Can flares disrupt GPS signals?", true, "Flares of this size can disrupt radio communications and GPS signals for about an hour."},
		{"what is the sunspot group called", true, "The sunspot group, known as AR 2297, has produced 12 smaller flares this week."},
		{"Who won the football match on Saturday?", false, ""},
		{"What is the price of bitcoin?", false, ""},
		{"What did the article say?", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		got, ok := Answer(article, tt.question, 0)
		if ok != tt.ok {
			t.Errorf("Answer(%q) ok = %v (passages %q), want %v", tt.question, ok, got, tt.ok)
			continue
		}
		if !ok {
			if len(got) != 0 {
				t.Errorf("Answer(%q) = %q with ok false, want no passages", tt.question, got)
			}
			continue
		}
		if len(got) == 0 || len(got) > DefaultMaxPassages {
			t.Errorf("Answer(%q): %d passages, want 1-%d", tt.question, len(got), DefaultMaxPassages)
		}
		if got[0] != tt.want {
			t.Errorf("Answer(%q) best = %q, want %q", tt.question, got[0], tt.want)
		}
		for _, p := range got {
			if !strings.Contains(article, p) {
				t.Errorf("Answer(%q): passage %q is not verbatim", tt.question, p)
			}
		}
	}
}

func TestAnswerMax(t *testing.T) {
	text := "The flare was strong. The flare was bright. The flare was long. The flare was new. Cats sleep."
	for _, max := range []int{1, 2, 3} {
		got, ok := Answer(text, "Tell me about the flare", max)
		if !ok || len(got) != max {
			t.Errorf("Answer(max %d) = %q, %v; want %d passages", max, got, ok, max)
		}
	}
}
