package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors, one per reason a fetch can fail that a caller may want to
// tell apart. Errors returned by [Client.Fetch] wrap them; test with
// errors.Is. Each message is a phrase a user can read.
var (
	// ErrBadURL means the input is not an absolute http(s) URL with a host.
	ErrBadURL = errors.New("not a valid web address")
	// ErrScheme means the URL, or a redirect, uses a scheme other than
	// http or https (file, ftp, gopher, data, javascript...).
	ErrScheme = errors.New("only http and https links can be fetched")
	// ErrPort means the URL, or a redirect, names a port other than 80 or
	// 443 (or the ports the Guard allows).
	ErrPort = errors.New("refusing to fetch a non-standard port")
	// ErrCredentials means the URL, or a redirect, carries user:password@.
	ErrCredentials = errors.New("refusing to fetch a URL with credentials")
	// ErrPrivateAddress means the host is, or resolved to, an address that
	// is not on the public internet: loopback, private, link-local, CGNAT,
	// multicast, unspecified, IPv4-mapped, unique-local, cloud metadata and
	// the other IANA special-purpose ranges.
	ErrPrivateAddress = errors.New("refusing to fetch a private network address")
	// ErrTooManyRedirects means the redirect chain looped or was longer
	// than Options.MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrTooLarge means the body, after decompression, exceeded
	// Options.MaxBytes (or the headers their own cap). The error is a
	// *SizeError, which names the limit.
	ErrTooLarge = errors.New("larger than the size limit")
	// ErrContentType means the response is not HTML, XHTML, plain text or
	// a PDF (or claims to be a PDF and is not one);
	// the wrapping error names the type that was found.
	ErrContentType = errors.New("not a web page")
	// ErrTimeout means the whole fetch, redirects and body included, did
	// not finish within Options.Timeout or the context's deadline.
	ErrTimeout = errors.New("the site took too long to answer")
	// ErrUnreachable means the site could not be reached or broke the
	// connection. The more precise ErrNoSuchHost, ErrConnectionRefused
	// and ErrTLS match it too (errors.Is); other failures, such as a
	// connection reset or a body cut short, wrap it alone.
	ErrUnreachable = errors.New("could not connect to the site, or the connection broke")
	// ErrNoSuchHost means the site's name did not resolve to an address.
	ErrNoSuchHost error = &unreachable{"no such host: the site's name does not resolve to an address"}
	// ErrConnectionRefused means the site's address answered but refused
	// the connection: no web server listens there.
	ErrConnectionRefused error = &unreachable{"the site refused the connection"}
	// ErrTLS means the secure connection failed: an untrusted, expired or
	// mismatched certificate, or a failed TLS handshake.
	ErrTLS error = &unreachable{"the site's secure connection failed (TLS certificate or handshake)"}
)

// unreachable is a precise kind of ErrUnreachable.
type unreachable struct{ msg string }

func (u *unreachable) Error() string { return u.msg }

// Is makes every precise kind match ErrUnreachable.
func (u *unreachable) Is(target error) bool { return target == ErrUnreachable }

// StatusError is returned, wrapped, when the final response has a status
// outside 2xx. Use errors.As with a *StatusError target to read the code.
type StatusError struct {
	Code int // HTTP status code, e.g. 404
	// RetryAfter is the wait the site asked for in Retry-After (in
	// seconds), or zero.
	RetryAfter time.Duration
	// RateLimited is true for a 429, and for a 403 whose
	// X-RateLimit-Remaining header says no request is left (GitHub's way).
	RateLimited bool
}

// Error returns a phrase such as "the site answered 404 Not Found".
func (e *StatusError) Error() string {
	if text := http.StatusText(e.Code); text != "" {
		return fmt.Sprintf("the site answered %d %s", e.Code, text)
	}
	return fmt.Sprintf("the site answered %d", e.Code)
}

// SizeError is returned, wrapped, when a page is over a size limit; it
// matches ErrTooLarge. Callers that read a document some other way (a
// local file) use it too, so that every size refusal reads the same.
type SizeError struct {
	Limit int64 // the limit in bytes
}

// Error returns a phrase such as "larger than the size limit of 5 MiB".
func (e *SizeError) Error() string {
	return ErrTooLarge.Error() + " of " + formatBytes(e.Limit)
}

// Is makes a *SizeError match ErrTooLarge.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// refusal is a sentinel with the detail that triggered it. It travels
// through net/http (dialer Control, CheckRedirect) unchanged, so Fetch can
// report it without the transport's "Get \"...\": dial tcp ..." prefixes.
type refusal struct {
	sentinel error
	detail   string
}

func (r *refusal) Error() string {
	if r.detail == "" {
		return r.sentinel.Error()
	}
	return r.sentinel.Error() + ": " + r.detail
}

func (r *refusal) Unwrap() error { return r.sentinel }

func refuse(sentinel error, format string, args ...any) error {
	return &refusal{sentinel: sentinel, detail: fmt.Sprintf(format, args...)}
}

// statusError describes a non-2xx answer from its code and headers.
func statusError(code int, h http.Header) *StatusError {
	e := &StatusError{Code: code}
	if secs, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && secs > 0 {
		e.RetryAfter = time.Duration(min(secs, 86400)) * time.Second
	}
	e.RateLimited = code == http.StatusTooManyRequests ||
		(code == http.StatusForbidden && strings.TrimSpace(h.Get("X-RateLimit-Remaining")) == "0")
	return e
}
