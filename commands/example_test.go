package commands_test

import (
	"fmt"

	"github.com/linkbrief/linkbrief/commands"
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
