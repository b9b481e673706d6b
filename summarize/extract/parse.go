package extract

import (
	"bytes"
	"fmt"

	"golang.org/x/net/html"
)

// maxDepth is the nesting kept when a page nests deeper than the parser
// allows (512 open elements): deeper tags are dropped, their text kept.
const maxDepth = 256

// parse parses body. A page nested too deeply for the parser is flattened
// below maxDepth and parsed again, so it still yields its text.
func parse(body []byte) (*html.Node, error) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err == nil {
		return doc, nil
	}
	doc, err2 := html.Parse(bytes.NewReader(flatten(body, maxDepth)))
	if err2 != nil {
		return nil, fmt.Errorf("extract: parse html: %w", err)
	}
	return doc, nil
}

// flatten re-emits body's tokens, dropping the start and end tags that
// would open elements deeper than limit. Void and self-closing elements do
// not nest; end tags close one level each. The count is approximate (HTML
// closes some elements implicitly) and errs towards dropping more tags.
func flatten(body []byte, limit int) []byte {
	var out bytes.Buffer
	out.Grow(len(body))
	z := html.NewTokenizer(bytes.NewReader(body))
	depth := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.Bytes()
		case html.StartTagToken:
			name, _ := z.TagName()
			if voidElements[string(name)] {
				out.Write(z.Raw())
				continue
			}
			depth++
			if depth > limit {
				continue
			}
		case html.EndTagToken:
			depth--
			if depth >= limit {
				continue
			}
			if depth < 0 {
				depth = 0
			}
		}
		out.Write(z.Raw())
	}
}

var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}
