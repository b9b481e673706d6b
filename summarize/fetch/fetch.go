// Package fetch downloads one untrusted web page safely.
//
// A link posted in a chat is hostile until proven otherwise: it may point at
// the bot's own network (loopback, a cloud metadata service, a database on
// 10.0.0.5), redirect there after a harmless first hop, resolve to a private
// address only on the second DNS lookup, never stop sending, or decompress
// into gigabytes. A [Client] refuses all of that: only http and https on
// ports 80 and 443, every redirect re-checked, the resolved address checked
// at dial time inside net.Dialer.Control (code.dny.dev/ssrf), one deadline
// for the whole fetch, a size cap applied after decompression, and only
// HTML, XHTML, plain text or PDF accepted (a PDF has its own, larger cap,
// and is recognised by its %PDF magic whatever its declared type). A page
// comes back decoded to UTF-8, a PDF as its bytes.
package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// Defaults used for the zero values of [Options].
const (
	DefaultTimeout      = 15 * time.Second
	DefaultMaxBytes     = 5 << 20
	DefaultMaxPDFBytes  = 25 << 20
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "Linkbrief/1 (+https://github.com/linkbrief/linkbrief)"
)

// maxHeaderBytes caps the response headers; real pages send a few KiB.
const maxHeaderBytes = 64 << 10

// Options tunes a Client; the zero value means the defaults noted.
type Options struct {
	// Timeout bounds the whole fetch: connecting, every redirect and
	// reading the body. Default DefaultTimeout (15s).
	Timeout time.Duration
	// MaxBytes caps the body after decompression. Default DefaultMaxBytes
	// (5 MiB).
	MaxBytes int64
	// MaxPDFBytes caps a PDF answer (one whose body starts with %PDF,
	// whatever its declared type): papers are larger than pages. Default
	// DefaultMaxPDFBytes (25 MiB); never below MaxBytes.
	MaxPDFBytes int64
	// MaxRedirects is how many redirects are followed. Default
	// DefaultMaxRedirects (5); a negative value follows none.
	MaxRedirects int
	// AllowPrivateNetworks lifts the address and port checks, for a bot
	// inside a trusted network, or tests. Scheme and credential checks stay.
	AllowPrivateNetworks bool
	// UserAgent is sent with every request. Default DefaultUserAgent.
	UserAgent string

	// Guard is the address and port policy when AllowPrivateNetworks is
	// false. It is consulted before dialing for IP-literal hosts and for
	// the port, and authoritatively at dial time on the resolved address.
	// Nil means ssrf.New(): tcp4/tcp6, ports 80 and 443, the IANA
	// special-purpose ranges and all IPv6 outside 2000::/3 refused. Tests
	// use ssrf.New(ssrf.WithAnyPort(), ssrf.WithAllowedV4Prefixes(...)) to
	// treat a loopback address as public.
	Guard *ssrf.Guardian
	// LookupIP resolves a host name to addresses; each address is then
	// dialed, and checked, in order. Nil means the system resolver, as
	// net.Dialer uses it. Tests use it to simulate DNS answers, such as a
	// name that changes address between lookups.
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
}

// Client fetches untrusted URLs. It is safe for concurrent use and keeps
// connections alive between fetches, like an http.Client.
type Client struct {
	opts  Options
	guard *ssrf.Guardian // nil when AllowPrivateNetworks
	http  *http.Client
	// dial opens every connection. Tests wrap it to make sure a broken
	// check can never send a packet beyond loopback.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// New returns a Client configured by opts.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	opts.MaxBytes = min(opts.MaxBytes, math.MaxInt64-1) // the reader asks for one byte more
	if opts.MaxPDFBytes <= 0 {
		opts.MaxPDFBytes = DefaultMaxPDFBytes
	}
	opts.MaxPDFBytes = min(max(opts.MaxPDFBytes, opts.MaxBytes), math.MaxInt64-1)
	switch {
	case opts.MaxRedirects == 0:
		opts.MaxRedirects = DefaultMaxRedirects
	case opts.MaxRedirects < 0:
		opts.MaxRedirects = 0
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	c := &Client{opts: opts}
	if !opts.AllowPrivateNetworks {
		c.guard = opts.Guard
		if c.guard == nil {
			c.guard = ssrf.New()
		}
	}

	dialer := &net.Dialer{Timeout: min(opts.Timeout, 10*time.Second), KeepAlive: 30 * time.Second}
	if c.guard != nil {
		dialer.Control = c.control
	}
	c.dial = c.dialContext(dialer)
	tr := &http.Transport{
		Proxy:                  nil, // an environment proxy would be dialed instead of, and checked instead of, the target
		DialContext:            func(ctx context.Context, network, addr string) (net.Conn, error) { return c.dial(ctx, network, addr) },
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  opts.Timeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
		DisableCompression:     true, // we decode ourselves, so the size cap applies after decompression
		MaxIdleConns:           16,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
		ExpectContinueTimeout:  time.Second,
	}
	c.http = &http.Client{Transport: tr, CheckRedirect: c.checkRedirect} // no Jar: no cookies
	return c
}

// Page is a fetched document, decoded to UTF-8, or a PDF as it came.
type Page struct {
	URL         string // final URL after redirects
	ContentType string // media type only, e.g. "text/html", "text/plain", "application/xhtml+xml", or PDFType
	Body        []byte // UTF-8; a PDF's own bytes when ContentType is PDFType
}

// Fetch downloads rawURL and returns the page decoded to UTF-8. Refusals
// and failures wrap one of the package's sentinel errors, or a
// *StatusError for a non-2xx answer; a cancelled ctx gives an error
// wrapping context.Canceled, and an expired deadline ErrTimeout.
func (c *Client) Fetch(ctx context.Context, rawURL string) (*Page, error) {
	return c.Do(ctx, Request{URL: rawURL})
}

// Request is one call to a site's API: Fetch with a method, a body,
// headers and the media types the caller reads. The zero value of every
// field but URL means what Fetch does.
type Request struct {
	// Method is "GET" (default) or "POST".
	Method string
	// URL is the absolute http(s) address.
	URL string
	// Header is sent as well; it may set User-Agent and Accept. Its
	// values are never logged or put in errors, so it may carry a token.
	Header http.Header
	// Body is sent with a POST.
	Body []byte
	// Types are the media types accepted besides HTML, XHTML and plain
	// text, such as "application/json" or "text/xml". Any other declared
	// type is refused with ErrContentType.
	Types []string
}

// Do makes req under the same checks as Fetch (scheme, port, address at
// dial time, redirects, deadline, size cap, content type) and returns the
// answer decoded to UTF-8.
func (c *Client) Do(ctx context.Context, req Request) (*Page, error) {
	rawURL := req.URL
	if len(rawURL) > maxURLLength {
		return nil, fmt.Errorf("fetch: %w: longer than %d bytes", ErrBadURL, maxURLLength)
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("fetch: %w: %w", ErrBadURL, err)
	}
	host, err := c.checkURL(u)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	method := http.MethodGet
	var body io.Reader
	switch req.Method {
	case "", http.MethodGet:
	case http.MethodPost:
		method, body = http.MethodPost, bytes.NewReader(req.Body)
	default:
		return nil, fmt.Errorf("fetch: method %q is not supported", truncate(req.Method))
	}

	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w: %w", ErrBadURL, err)
	}
	hreq.Header.Set("User-Agent", c.opts.UserAgent)
	hreq.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.1")
	for k, vs := range req.Header {
		hreq.Header.Del(k)
		for _, v := range vs {
			hreq.Header.Add(k, v)
		}
	}
	hreq.Header.Set("Accept-Encoding", "gzip, br")

	resp, err := c.http.Do(hreq)
	if err != nil {
		return nil, c.classify(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("fetch: %w", statusError(resp.StatusCode, resp.Header))
	}
	page, err := c.readPage(ctx, resp, req.Types)
	if err != nil {
		return nil, err
	}
	page.URL = resp.Request.URL.String()
	return page, nil
}

// checkRedirect re-applies the URL checks to every hop and bounds the chain.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.opts.MaxRedirects {
		return refuse(ErrTooManyRedirects, "more than %d", c.opts.MaxRedirects)
	}
	next := req.URL.String()
	for _, v := range via {
		if v.URL.String() == next {
			return refuse(ErrTooManyRedirects, "redirect loop at %s", truncate(next))
		}
	}
	host, err := c.checkURL(req.URL)
	if err != nil {
		return err
	}
	req.URL.Host = host
	return nil
}

// control is the dial-time check on the address actually being connected
// to; it runs after DNS resolution, for every address tried.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	err := c.guard.Safe(network, address, nil)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ssrf.ErrProhibitedPort):
		return refuse(ErrPort, "%s", address)
	default:
		return refuse(ErrPrivateAddress, "%s", address)
	}
}

// dialContext resolves with Options.LookupIP when set; otherwise net.Dialer
// resolves. Either way every connection passes through control.
func (c *Client) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	lookup := c.opts.LookupIP
	if lookup == nil {
		return d.DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if _, err := netip.ParseAddr(host); err == nil {
			return d.DialContext(ctx, network, addr)
		}
		ips, err := lookup(ctx, host)
		if err != nil {
			return nil, &net.DNSError{Err: err.Error(), Name: host, IsNotFound: true}
		}
		if len(ips) == 0 {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		var first error
		for _, ip := range ips {
			conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return conn, nil
			}
			if first == nil {
				first = err
			}
			if ctx.Err() != nil {
				break
			}
		}
		return nil, first
	}
}

// classify turns a transport error into one wrapping a sentinel.
func (c *Client) classify(ctx context.Context, err error) error {
	var r *refusal
	if errors.As(err, &r) {
		return fmt.Errorf("fetch: %w", r)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("fetch: %w: %w", ErrTimeout, context.DeadlineExceeded)
	}
	if errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("fetch: canceled: %w", context.Canceled)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("fetch: %w: %w", ErrTimeout, err)
	}
	if strings.Contains(err.Error(), "response headers exceeded") {
		return fmt.Errorf("fetch: response headers: %w", &SizeError{Limit: maxHeaderBytes})
	}
	return fmt.Errorf("fetch: %w: %w", unreachableKind(err), err)
}

// unreachableKind tells which way a connection failed: the name did not
// resolve, the address refused, TLS failed, or something else.
func unreachableKind(err error) error {
	var (
		dnsErr    *net.DNSError
		certErr   *tls.CertificateVerificationError
		alertErr  tls.AlertError
		recordErr tls.RecordHeaderError
		authErr   x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invErr    x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &dnsErr):
		return ErrNoSuchHost
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrConnectionRefused
	case errors.As(err, &certErr), errors.As(err, &alertErr), errors.As(err, &recordErr),
		errors.As(err, &authErr), errors.As(err, &hostErr), errors.As(err, &invErr),
		strings.Contains(err.Error(), "tls: "):
		return ErrTLS
	}
	return ErrUnreachable
}
