package extract

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// visibleText is what a document shows after parsing.
func visibleText(t *testing.T, body []byte) string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return "parse error: " + err.Error()
	}
	return renderText(doc)
}

func TestStripRawText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"script", `<p>a</p><script>var x = "<p>b</p>";</script><p>c</p>`, `<p>a</p><script></script><p>c</p>`},
		{"style", `<style>p { color: red }</style><p>x</p>`, `<style></style><p>x</p>`},
		{"case and attributes", `<SCRIPT type="text/javascript" src='a>b'>x</ScRiPt >y`, `<SCRIPT type="text/javascript" src='a>b'></ScRiPt >y`},
		{"json-ld kept", `<script type="application/ld+json">{"a":1}</script>`, `<script type="application/ld+json">{"a":1}</script>`},
		{"escape kept", `<script><!-- <script>x</script> --></script>`, `<script><!-- <script>x</script> --></script>`},
		{"in comment", `<!-- <script> --><p>keep</p><script>x</script>`, `<!-- <script> --><p>keep</p><script></script>`},
		{"in attribute", `<div title="<script>"><p hidden>s</p></script>"> t</div>`, `<div title="<script>"><p hidden>s</p></script>"> t</div>`},
		{"in textarea", `<textarea><script></textarea><p>keep</p></script>`, `<textarea><script></textarea><p>keep</p></script>`},
		{"scriptx is not script", `<scriptx>keep</scriptx>`, `<scriptx>keep</scriptx>`},
		{"end tag prefix", `<script>a</scripts>b</script>c`, `<script></script>c`},
		{"unclosed", `<p>a</p><script>never closed <p>b</p>`, `<p>a</p><script>never closed <p>b</p>`},
		{"bogus comment", `<!x <script>>keep</script>`, `<!x <script>>keep</script>`},
	}
	for _, tc := range tests {
		got := string(stripRawText([]byte(tc.in)))
		if got != tc.want {
			t.Errorf("%s: stripRawText(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
		if a, b := visibleText(t, []byte(tc.in)), visibleText(t, []byte(got)); a != b {
			t.Errorf("%s: text of %q is %q, after stripping %q", tc.name, tc.in, a, b)
		}
	}
}

// FuzzStripRawText checks that cutting script and style contents never
// changes what a page shows.
func FuzzStripRawText(f *testing.F) {
	for _, s := range []string{
		`<p>a</p><script>x</script><p>b</p>`,
		`<div title="<script>"><p hidden>s</p></script>"> t</div>`,
		`<script><!--<script>x</script>y</script>z`,
		`<!x <script>>k</script>`,
		`<style>a</style ><textarea><script></textarea>q</script>`,
		strings.Repeat("<script>", 3) + "</script>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		stripped := stripRawText(body)
		if a, b := visibleText(t, body), visibleText(t, stripped); a != b {
			t.Fatalf("stripRawText(%q) = %q changed the text from %q to %q", body, stripped, a, b)
		}
	})
}
