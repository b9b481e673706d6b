package extractive_test

import (
	"fmt"

	"github.com/linkbrief/linkbrief/summarize/extractive"
)

func ExampleSummarize() {
	text := "The city council approved a 12 million pound budget for a new bridge on Tuesday. " +
		"Scroll down for video . " +
		"The bridge will link the two halves of the town, Mayor Ann Lee said. " +
		"Work starts in May and should end in 2027. " +
		"Residents had campaigned for a crossing since the old ferry closed in 2019."
	s := extractive.Summarize("Council approves bridge", text, extractive.Options{MaxSentences: 2, MaxClaims: 2})
	for _, line := range s.Sentences {
		fmt.Println(line)
	}
	// Output:
	// The city council approved a 12 million pound budget for a new bridge on Tuesday.
	// The bridge will link the two halves of the town, Mayor Ann Lee said.
}

func ExampleAnswer() {
	text := "The city council approved a budget for a new bridge on Tuesday. Work starts in May and should end in 2027."
	passages, ok := extractive.Answer(text, "When will work on the bridge end?", 1)
	fmt.Println(ok, passages)
	_, ok = extractive.Answer(text, "Who won the football match?", 1)
	fmt.Println(ok)
	// Output:
	// true [Work starts in May and should end in 2027.]
	// false
}
