package commands_test

import (
	"fmt"

	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/summarize"
)

func ExampleFindLinks() {
	msg := "Read https://example.com/story, not <https://example.com/hidden> or ||https://example.com/spoiler||."
	fmt.Println(commands.FindLinks(msg, 3))
	// Output: [https://example.com/story]
}

func ExampleNeutralize() {
	fmt.Printf("%q\n", commands.Neutralize("hi @everyone and <@123>"))
	// Output: "hi @\u200beveryone and <@\u200b123>"
}

func ExampleRenderBrief() {
	e := commands.RenderBrief(&summarize.Brief{
		URL: "https://example.com/rain", Title: "Rain returns", Site: "Valley News",
		Summary: "Rain ended an eleven-week dry spell.",
		Claims:  []summarize.Claim{{Text: "42 mm fell in Riverton.", Quote: "The office measured 42 millimetres of rain in Riverton."}},
		Backend: "llm", Model: "small-model", Words: 460,
	})
	fmt.Println(e.Title)
	fmt.Println(e.Description)
	for _, f := range e.Fields {
		fmt.Println(f.Name, "|", f.Value)
	}
	fmt.Println(e.Footer)
	// Output:
	// Rain returns
	// Rain ended an eleven-week dry spell.
	// 1. 42 mm fell in Riverton. | > The office measured 42 millimetres of rain in Riverton.
	// Valley News · llm/small-model · 2 min read
}
