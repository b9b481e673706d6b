package summarize

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

// ErrBadURL is returned by CanonicalURL for anything that is not an
// absolute http or https URL with a host.
var ErrBadURL = errors.New("not a valid web address")

// trackingParams are query parameters that identify a campaign or a
// click, never the page; they are dropped from canonical URLs.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "igshid": true, "twclid": true, "ttclid": true,
	"mc_cid": true, "mc_eid": true, "ref_src": true, "ref_url": true,
	"_hsenc": true, "_hsmi": true, "mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true,
	"vero_id": true, "wickedid": true, "s_cid": true, "spm": true,
}

// isTracking reports whether a query parameter name is a tracking
// parameter.
func isTracking(name string) bool {
	n := strings.ToLower(name)
	return trackingParams[n] || strings.HasPrefix(n, "utm_") || strings.HasPrefix(n, "mc_") ||
		strings.HasPrefix(n, "pk_") || strings.HasPrefix(n, "hsa_")
}

// CanonicalURL returns the form of raw used as Linkbrief's cache key:
// lower-case scheme and host, no default port, no fragment, no user
// information, no tracking parameters, and the remaining query sorted.
// Applying it twice gives the same result as applying it once.
func CanonicalURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 8192 {
		return "", fmt.Errorf("summarize: %w", ErrBadURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("summarize: %w", ErrBadURL)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("summarize: %w: only http and https links are supported", ErrBadURL)
	}
	if u.Opaque != "" || u.Host == "" {
		return "", fmt.Errorf("summarize: %w", ErrBadURL)
	}
	if !utf8.ValidString(u.Host) {
		return "", fmt.Errorf("summarize: %w", ErrBadURL)
	}
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	if !validHost(host) {
		return "", fmt.Errorf("summarize: %w", ErrBadURL)
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host = net.JoinHostPort(strings.Trim(host, "[]"), port)
	}

	out := url.URL{Scheme: u.Scheme, Host: host, Path: u.Path, RawPath: u.RawPath}
	if out.Path == "" {
		out.Path = "/"
	}
	if u.RawQuery != "" {
		out.RawQuery = canonicalQuery(u.RawQuery)
	}
	canon := out.String()
	if len(canon) > 8192 {
		return "", fmt.Errorf("summarize: %w: the address is too long", ErrBadURL)
	}
	return canon, nil
}

// escapePair re-escapes one name=value pair so that the same pair always
// reads the same, whatever escaping the link used. A pair that does not
// unescape is kept, with only spaces and control bytes escaped.
func escapePair(part string) string {
	name, value, hasValue := strings.Cut(part, "=")
	n, err1 := url.QueryUnescape(name)
	v, err2 := url.QueryUnescape(value)
	if err1 != nil || err2 != nil {
		var b strings.Builder
		for i := 0; i < len(part); i++ {
			if c := part[i]; c <= ' ' || c == 0x7f {
				fmt.Fprintf(&b, "%%%02X", c)
			} else {
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	if !hasValue {
		return esc(n)
	}
	return esc(n) + "=" + esc(v)
}

// validHost accepts IP addresses and names made of letters (any script),
// digits, '-', '_' and '.'.
func validHost(h string) bool {
	if h == "" || strings.HasPrefix(h, ".") || strings.Contains(h, "..") || !utf8.ValidString(h) {
		return false
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	for _, r := range h {
		ok := r == '.' || r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r >= 0x80
		if !ok {
			return false
		}
	}
	return true
}

// canonicalQuery drops tracking parameters from a raw query and sorts the
// rest by name, keeping the order of repeated names. Unparseable pairs are
// kept verbatim so that distinct pages never collapse into one key.
func canonicalQuery(raw string) string {
	type pair struct{ key, raw string }
	var pairs []pair
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, _, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(name)
		if err != nil {
			key = name
		}
		if isTracking(key) {
			continue
		}
		pairs = append(pairs, pair{key: key, raw: escapePair(part)})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].key < pairs[j].key })
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.raw
	}
	return strings.Join(parts, "&")
}
