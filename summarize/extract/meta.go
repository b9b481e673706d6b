package extract

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// bylinePrefix matches the "By" that bylines start with.
var bylinePrefix = lazyRegexp(`(?i)^(by|von|por|par|di|door)\s+`)

// cleanByline drops a leading "By" from a byline.
func cleanByline(s string) string {
	return strings.TrimSpace(bylinePrefix().ReplaceAllString(s, ""))
}

// siteFromURL names a site by its host, without "www.", for pages that
// declare no site name.
func siteFromURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// urlDate matches a date in a URL path: /2019/11/18/ or /2019-11-18.
var urlDate = lazyRegexp(`/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:[/-]|$)`)

// dateFromURL reads the publication date many news sites put in their
// URLs; zero when there is none.
func dateFromURL(u *url.URL) time.Time {
	if u == nil {
		return time.Time{}
	}
	m := urlDate().FindStringSubmatch(u.Path)
	if m == nil {
		return time.Time{}
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 2019-02-31
		return time.Time{}
	}
	return t
}

// lazyRegexp returns a function that compiles expr the first time it is
// called. Go initializes every package of the binary at start-up, so a
// pattern compiled in a package-level variable would cost every run,
// `linkbrief version` too, whether or not it extracts a page.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
