// Package summarize is Linkbrief's pipeline: it turns a link into a Brief
// by canonicalizing the URL, consulting the cache, fetching the page
// safely, extracting the article, running a backend (a language model or
// the offline extractive summarizer), verifying every claim's quote
// against the article, and storing the result.
package summarize
