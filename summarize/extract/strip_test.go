package extract

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// treeDump renders the parsed tree of body as slim should leave it: every
// node with its kept attributes, and without comments, unused <meta> and
// <link> elements, the text of scripts and styles, the addresses of links
// (but their first byte), and with each run of text as its words.
func treeDump(body []byte) string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return "parse error: " + err.Error()
	}
	var b strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		fmt.Fprintf(&b, "%s%d %s %q", strings.Repeat(" ", depth), n.Type, n.Namespace, n.Data)
		for _, a := range n.Attr {
			if !keptAttr([]byte(a.Key)) {
				continue
			}
			if v := a.Val; n.Data == "a" && n.Namespace == "" && a.Key == "href" && len(v) >= 2 && (v[0] == 'h' || v[0] == '/') {
				fmt.Fprintf(&b, " %s:%s=%c…", a.Namespace, a.Key, v[0]) // shortened
				continue
			}
			fmt.Fprintf(&b, " %s:%s=%q", a.Namespace, a.Key, a.Val)
		}
		b.WriteByte('\n')
		var text strings.Builder
		flush := func() {
			if text.Len() > 0 {
				// White space may move: a cut comment can join it to
				// text a table fosters out, or make it a <pre>'s
				// dropped first newline.
				t := strings.Join(strings.Fields(text.String()), " ")
				if t == "" {
					text.Reset()
					return
				}
				fmt.Fprintf(&b, "%s%d %q\n", strings.Repeat(" ", depth+1), html.TextNode, t)
				text.Reset()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.CommentNode:
			case c.Type == html.ElementNode && c.Namespace == "" && (c.Data == "meta" || c.Data == "link") && !usefulHeadElement(c):
			case c.Type == html.TextNode:
				if n.Type == html.ElementNode && n.Namespace == "" && (n.Data == "script" && !isJSONLD(n) || n.Data == "style") {
					continue
				}
				text.WriteString(c.Data)
			default:
				flush()
				walk(c, depth+1)
			}
		}
		flush()
	}
	walk(doc, 0)
	return b.String()
}

func TestSlim(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"script", `<p>a</p><script>var x = "<p>b</p>";</script><p>c</p>`, `<p>a</p><script></script><p>c</p>`},
		{"style", `<style>p { color: red }</style><p>x</p>`, `<style></style><p>x</p>`},
		{"case and attributes", `<SCRIPT type="text/javascript" src='a>b'>x</ScRiPt >y`, `<SCRIPT type="text/javascript" src='a>b'></ScRiPt >y`},
		{"json-ld kept", `<script type="application/ld+json">{"a":1}</script>`, `<script type="application/ld+json">{"a":1}</script>`},
		{"script escapes", `<script><!-- <script>x</script> --></script><p>k</p>`, `<script></script><p>k</p>`},
		{"in comment", `<!-- <script> --><p>keep</p><script>x</script>`, `<!-- <script> --><p>keep</p><script></script>`},
		{"comment ends at --!>", `<!-- a --!> <p data-x="1">k</p>`, ` <p >k</p>`},
		{"in attribute", `<div title="<script>"><p hidden>s</p></script>"> t</div>`, `<div ><p hidden>s</p></script>"> t</div>`},
		{"in textarea", `<textarea><script></textarea><p>keep</p></script>`, `<textarea><script></textarea><p>keep</p></script>`},
		{"scriptx is not script", `<scriptx>keep</scriptx>`, `<scriptx>keep</scriptx>`},
		{"end tag prefix", `<script>a</scripts>b</script>c`, `<script></script>c`},
		{"unclosed", `<p>a</p><script>never closed <p>b</p>`, `<p>a</p><script>never closed <p>b</p>`},
		{"bogus comment", `<!x <script>>keep</script>`, `<!x <script>>keep</script>`},
		{"attributes", `<div data-a="1" class="c" onclick='x()' ID=m srcset=a.jpg>t</div>`, `<div class="c" ID=m >t</div>`},
		{"hidden kept", `<p data-x=1 hidden aria-hidden="true" style="display:none">s</p>`, `<p hidden aria-hidden="true" style="display:none">s</p>`},
		{"self-closing kept", `<br data-x=1/><x data-y/>`, `<br data-x=1/><x />`},
		{"svg title with markup stops", `<svg><title>a<b>c</b></title></svg><p data-x=1>t</p>`, `<svg><title>a<b>c</b></title></svg><p data-x=1>t</p>`},
		{"link addresses", `<a href="https://example.com/a" class=x>t</a><a href="#notes">n</a><link href="/feed.xml">`, `<a href="ha" class=x>t</a><a href="#notes">n</a><link href="/feed.xml">`},
		{"comments and unused metadata", "<head>\n <meta charset=utf-8>\n <meta name=viewport content=x>\n <link rel=stylesheet href=/a.css> <meta property=og:title content=T>\n<!-- c -->\n</head><p>a <!-- b --> c</p><p>a<!-- b --> c</p>",
			"<head>\n <meta charset=utf-8> <meta property=og:title content=T>\n</head><p>a <!-- b --> c</p><p>a<!-- b --> c</p>"},
		{"svg closed", `<svg><path d="M0"/></svg><script>x</script>`, `<svg><path /></svg><script></script>`},
	}
	for _, tc := range tests {
		got := string(slim([]byte(tc.in)))
		if got != tc.want {
			t.Errorf("%s: slim(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
		if a, b := treeDump([]byte(tc.in)), treeDump([]byte(got)); a != b {
			t.Errorf("%s: tree of %q is\n%s\nafter slim\n%s", tc.name, tc.in, a, b)
		}
	}
}

// FuzzSlim checks that slim never changes the parsed tree beyond dropping
// unused attributes and script and style text.
func FuzzSlim(f *testing.F) {
	for _, s := range []string{
		`<p>a</p><script>x</script><p data-a=1 b>b</p>`,
		`<div title="<script>"><p hidden>s</p></script>"> t</div>`,
		`<script><!--<script>x</script>y</script>z`,
		`<!x <script>>k</script>`,
		`<style>a</style ><textarea><script></textarea>q</script>`,
		strings.Repeat("<script>", 3) + "</script>",
		`<svg><style><!--</style><a data-z="--><div hidden>sec"ret</div>`,
		`<svg><foreignObject><div></svg></div><style>a<b</style><p data-x>`,
		`<math><mi><b data-a=1>x</b></mi></math><script>1<2</script>`,
		`<x a=1 data-b=2/><y data-c/ ><z/data-d>`,
		`<!-- -- !> --!> <p data-e>`,
		`<svg><![CDATA[ <p data-f> ]]></svg>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		slimmed := slim(body)
		if a, b := treeDump(body), treeDump(slimmed); a != b {
			t.Fatalf("slim(%q) = %q changed the tree from\n%s\nto\n%s", body, slimmed, a, b)
		}
	})
}

// TestSlimTokenSoup checks slim against the parser on random mixes of the
// tokens where tokenizer states part ways: comments, raw text, script
// escapes, foreign content, CDATA, self-closing tags and quoted values.
func TestSlimTokenSoup(t *testing.T) {
	t.Parallel()
	toks := []string{"<", ">", "/", "=", `"`, "'", " ", "-", "!", "--", "<!--", "-->", "--!>", "<script>", "</script>",
		"<svg>", "</svg>", "<math>", "</math>", "<title>", "</title>", "<style>", "</style>", "<p data-x=1>",
		"<div hidden>", "</div>", "a", "<![CDATA[", "]]>", "<desc>", "<b>", "</p>", "<textarea>", "<x ", "data-y",
		"class", "hidden", "<table>", "<td>", "<font color=red>", "<mi>", "<!", "?", "<?", "<plaintext>", "\x00",
		"</", "script", "<foreignObject>", `<a href="/x">`, "</a>", "href=h", "<svg/>", "<noscript>",
		"<meta name=viewport>", "<link rel=canonical>", "<link rel=x>", "<head>", "</head>", "<body>", "<pre>", "\n", "&", "amp;", "<!-- c -->", "<!---->"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b []byte
		for k := r.IntN(40); k >= 0; k-- {
			b = append(b, toks[r.IntN(len(toks))]...)
		}
		slimmed := slim(b)
		if a, c := treeDump(b), treeDump(slimmed); a != c {
			t.Fatalf("slim(%q) = %q changed the tree from\n%s\nto\n%s", b, slimmed, a, c)
		}
	}
}
