package main

import (
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/sites"
)

// siteAdapters builds the site adapters that [sources.*] turns on, each
// reading its API through f, the pipeline's safe fetcher.
func siteAdapters(cfg Config, f *fetch.Client) sites.Set {
	src := cfg.Sources
	var set sites.Set
	if src.YouTube.Enabled {
		set = append(set, sites.NewYouTube(f, sites.Options{APIURL: src.YouTube.APIURL}))
	}
	if src.Reddit.Enabled {
		set = append(set, sites.NewReddit(f, sites.Options{APIURL: src.Reddit.APIURL}))
	}
	if src.HackerNews.Enabled {
		set = append(set, sites.NewHackerNews(f, sites.Options{APIURL: src.HackerNews.APIURL}))
	}
	if src.Arxiv.Enabled {
		set = append(set, sites.NewArxiv(f, sites.Options{APIURL: src.Arxiv.APIURL}))
	}
	if src.GitHub.Enabled {
		set = append(set, sites.NewGitHub(f, sites.Options{APIURL: src.GitHub.APIURL, Token: src.GitHub.Token.Reveal()}))
	}
	x := sites.NewX(f, sites.Options{APIURL: src.X.APIURL})
	if src.X.Enabled {
		set = append(set, x)
	} else {
		// Off, X links still get a sentence saying so rather than the
		// HTML path, which would only find a script shell.
		set = append(set, sites.Off{Adapter: x, Reason: sites.XOffReason})
	}
	return set
}
