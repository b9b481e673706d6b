package extract_test

import (
	"errors"
	"fmt"

	"github.com/linkbrief/linkbrief/summarize/extract"
)

func ExampleFromHTML() {
	page := []byte(`<html lang="en"><head><title>Town budget agreed after long debate | Town News</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Town budget agreed after long debate</h1>
<p>The committee met on Tuesday and agreed to raise spending on roads and schools.</p>
<p>A public meeting will be held next week.</p></article></body></html>`)
	art, err := extract.FromHTML(page, "https://town.example/budget", extract.Options{MinWords: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(art.Title)
	fmt.Println(art.Text)

	_, err = extract.FromHTML([]byte(`<html><body><div id="root"></div><script src="app.js"></script></body></html>`), "", extract.Options{})
	fmt.Println(err, errors.Is(err, extract.ErrNotArticle))
	// Output:
	// Town budget agreed after long debate
	// The committee met on Tuesday and agreed to raise spending on roads and schools.
	//
	// A public meeting will be held next week.
	// no article found: page needs JavaScript true
}
