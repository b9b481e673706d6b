package sites

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMarkdownText(t *testing.T) {
	md := "<!-- badges -->\n<p align=\"center\"><img src=\"logo.png\" alt=\"logo\"></p>\n\n" +
		"# bridge-planner\n\n[![CI](https://x/badge.svg)](https://x) ![cov](https://y.svg)\n\n" +
		"**bridge-planner** plans *river crossings* from survey data\nand prints a [cost estimate](https://e.x/cost) in `CSV`.\n\n" +
		"## Install\n\n```sh\ngo install example.com/bp@latest\n```\n\n" +
		"- Reads LIDAR surveys\n- [x] Estimates steel tonnage\n1. Exports ~~PDF~~ reports\n\n" +
		"| span | cost |\n|---|---:|\n| 120 m | $41M |\n\n> Quoted\n> text here.\n\n---\n[ref]: https://example.com\nSee <https://docs.example.com> &amp; more.\n"
	want := strings.Join([]string{
		"bridge-planner",
		"bridge-planner plans river crossings from survey data and prints a cost estimate in CSV.",
		"Install",
		"Reads LIDAR surveys",
		"Estimates steel tonnage",
		"Exports PDF reports",
		"span · cost",
		"120 m · $41M",
		"Quoted text here.",
		"See https://docs.example.com & more.",
	}, "\n\n")
	if got := markdownText(md); got != want {
		t.Errorf("markdownText =\n%s\n\nwant\n%s", got, want)
	}
	if got := markdownText("```\nunclosed code"); got != "" {
		t.Errorf("unclosed fence = %q, want nothing", got)
	}
}

func FuzzMarkdownText(f *testing.F) {
	f.Add("# T\n\n**b** [l](u) ![i](s)\n\n```\nc\n```\n| a | b |")
	f.Add("<details><summary>x</summary>\n\n* a\n* b\n</details>")
	f.Add("[[[[((((](((]]]`*_*_")
	f.Fuzz(func(t *testing.T, md string) {
		out := markdownText(md)
		if utf8.ValidString(md) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of valid input")
		}
		if strings.Contains(out, "\n\n\n") {
			t.Fatalf("empty paragraph in %q", out)
		}
	})
}
