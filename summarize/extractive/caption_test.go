package extractive

import (
	"reflect"
	"testing"
)

func TestUnglue(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{
			"Haul: The cherry picker collecting drugs from the roof of HMP Altcourse in Liverpool The amount of drugs thrown over the fence is so high.",
			[]string{"Haul: The cherry picker collecting drugs from the roof of HMP Altcourse in Liverpool", "The amount of drugs thrown over the fence is so high."},
		},
		{
			"Rhodri Giggs outside the court yesterday, where he was banned from driving The brother of the footballer has lost his job.",
			[]string{"Rhodri Giggs outside the court yesterday, where he was banned from driving", "The brother of the footballer has lost his job."},
		},
		{
			"The mother was watching Cinderella (reenactment) She said the film moved her.",
			[]string{"The mother was watching Cinderella (reenactment)", "She said the film moved her."},
		},
		{
			"Prisoner Carlos Boente (pictured) was jailed for five years (pictured) A serving prisoner has been jailed.",
			[]string{"Prisoner Carlos Boente (pictured) was jailed for five years (pictured)", "A serving prisoner has been jailed."},
		},
		{"People with a type A personality are more likely to work late.", []string{"People with a type A personality are more likely to work late."}},
		// A title or a name, not a new sentence.
		{"He read it in The Times on a quiet Sunday morning.", []string{"He read it in The Times on a quiet Sunday morning."}},
		{"That was the year Don't Push It won the race.", []string{"That was the year Don't Push It won the race."}},
		// Too short on one side to be a caption.
		{"Fans cheered The band played on.", []string{"Fans cheered The band played on."}},
		{"He was seen wearing a black hat The end.", []string{"He was seen wearing a black hat The end."}},
		{"", []string{""}},
	}
	for _, tt := range tests {
		pieces, caps := unglue(tt.in, span{0, len(tt.in)})
		var got []string
		for _, p := range pieces {
			got = append(got, tt.in[p.start:p.end])
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("unglue(%q) = %q, want %q", tt.in, got, tt.want)
		}
		for i, c := range caps {
			if want := i < len(caps)-1; c != want {
				t.Errorf("unglue(%q): piece %d caption = %v, want %v", tt.in, i, c, want)
			}
		}
	}
}

func TestSummarizeSkipsGluedCaption(t *testing.T) {
	text := "Rhodri Giggs outside the court in Manchester yesterday, where he was banned from driving The brother of former footballer Ryan Giggs has lost his job as a lorry driver after being banned from the roads for six months. " +
		"Giggs, 37, admitted driving without insurance at a hearing last week. " +
		"His employer said it could not keep a driver who was unable to drive."
	got := Summarize("", text, Options{MaxSentences: 1})
	want := "The brother of former footballer Ryan Giggs has lost his job as a lorry driver after being banned from the roads for six months."
	if len(got.Sentences) != 1 || got.Sentences[0] != want {
		t.Errorf("Summarize(glued caption) = %q, want [%q]", got.Sentences, want)
	}
}

func TestAddressesReader(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Ever had a headache so big you felt like drilling a hole in your head?", true},
		{"If your name is Nigel you are twice as likely to vote Ukip.", true},
		{"'You can't do that,' the referee told him.", false},
		{"He said: \"Thank you for coming.\"", false},
		{"The youth club reopened on Monday.", false},
	}
	for _, tt := range tests {
		if got := addressesReader(tt.in, tokens(tt.in)); got != tt.want {
			t.Errorf("addressesReader(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestHasCaptionLabel(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Evicted: Hayley Sandiford has been told that Winston must leave.", true},
		{"Horrific scar: Gary Mabbutt has been left with a 30inch scar.", true},
		{"He said: 'We strive to pay our obligations.'", false},
		{"Police added: The investigation is continuing.", false},
		{"Barbie collectors mark your calendars: This Saturday, the doll goes on sale.", false},
		{"The reason is simple: Nobody asked.", false},
		{"No colon at all in this sentence.", false},
	}
	for _, tt := range tests {
		if got := hasCaptionLabel(tt.in); got != tt.want {
			t.Errorf("hasCaptionLabel(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
