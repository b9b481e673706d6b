package llm_test

import (
	"context"
	"fmt"
	"log"

	"github.com/linkbrief/linkbrief/summarize/llm"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

func ExampleClient_Summarize() {
	// A fake server in echo mode stands in for OpenAI, Ollama or vLLM.
	srv := llmtest.NewServer()
	defer srv.Close()

	c, err := llm.New(llm.Options{BaseURL: srv.URL(), Model: "gpt-4o-mini"})
	if err != nil {
		log.Fatal(err)
	}
	s, err := c.Summarize(context.Background(), llm.Input{
		Title:     "Riverton approves footbridge",
		Text:      "The council voted 7 to 2 to build a footbridge. It will cost 4.2 million dollars.\n\nWork starts in spring.",
		MaxClaims: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Summary)
	fmt.Printf("%q\n", s.Claims[0].Quote)
	fmt.Println(s.Model, s.Truncated)
	// Output:
	// The council voted 7 to 2 to build a footbridge. It will cost 4.2 million dollars.
	// "The council voted 7 to 2 to build a footbridge."
	// gpt-4o-mini false
}

func ExampleClient_Answer() {
	srv := llmtest.NewServer()
	defer srv.Close()

	c, err := llm.New(llm.Options{BaseURL: srv.URL(), Model: "llama3.2"})
	if err != nil {
		log.Fatal(err)
	}
	a, err := c.Answer(context.Background(), llm.Input{
		Text: "The council voted 7 to 2 to build a footbridge. It will cost 4.2 million dollars.",
	}, "How much will the footbridge cost?")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Text)
	// Output: The article says: "It will cost 4.2 million dollars."
}
