package sites

import (
	"net/url"
	"testing"
)

// benchLinks are the links a busy server posts: mostly articles, some of
// each site.
var benchLinks = []string{
	"https://www.riverton-gazette.example/news/2026/11/03/council-approves-bridge?utm_source=discord",
	"https://youtu.be/bridgeVid01?si=xyz",
	"https://old.reddit.com/r/bikecommuting/comments/1h2self9/our_city/",
	"https://news.ycombinator.com/item?id=43210987",
	"https://github.com/riverton/bridge-planner/pull/43/files",
	"https://x.com/AnaRuizMayor/status/1853300000000000001",
	"https://blog.example.org/posts/why-bridges-last",
	"https://arxiv.org/abs/1706.03762v7",
}

func allAdapters() Set {
	return Set{NewYouTube(nil, Options{}), NewReddit(nil, Options{}), NewHackerNews(nil, Options{}),
		NewArxiv(nil, Options{}), NewGitHub(nil, Options{}), Off{Adapter: NewX(nil, Options{}), Reason: XOffReason}}
}

// BenchmarkSetMatch is what the site hook costs each link before the
// fetch; BenchmarkParseOnly, the url.Parse every link pays anyway, is
// its baseline.
func BenchmarkSetMatch(b *testing.B) {
	set := allAdapters()
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range benchLinks {
			set.Match(l)
		}
	}
}

func BenchmarkParseOnly(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range benchLinks {
			_, _ = url.Parse(l)
		}
	}
}
