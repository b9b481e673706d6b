package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"code.dny.dev/ssrf"
)

// maxURLLength bounds the input; real article links are far shorter.
const maxURLLength = 8 << 10

// checkURL applies every check that can be decided from the URL alone, for
// the first request and for each redirect: scheme, credentials, host syntax,
// and, unless private networks are allowed, IP-literal hosts and the port.
// It returns the host[:port] to use, with IP literals in canonical form, so
// that "http://0x7f000001/" is dialed as the 127.0.0.1 it was judged to be.
func (c *Client) checkURL(u *url.URL) (string, error) {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return "", refuse(ErrBadURL, "no scheme in %q", truncate(u.String()))
	default:
		return "", refuse(ErrScheme, "%s", strings.ToLower(u.Scheme))
	}
	if u.Opaque != "" {
		return "", refuse(ErrBadURL, "no host in %q", truncate(u.String()))
	}
	if u.User != nil {
		return "", refuse(ErrCredentials, "%s", u.Redacted())
	}
	hostname, port := u.Hostname(), u.Port()
	if hostname == "" {
		return "", refuse(ErrBadURL, "no host in %q", truncate(u.String()))
	}
	portNum := uint16(80)
	if strings.EqualFold(u.Scheme, "https") {
		portNum = 443
	}
	if port != "" {
		p, err := strconv.ParseUint(port, 10, 16)
		if err != nil || p == 0 {
			return "", refuse(ErrBadURL, "bad port %q", truncate(port))
		}
		portNum = uint16(p)
	}
	addr, isIP, err := parseHostIP(hostname)
	if err != nil {
		return "", refuse(ErrBadURL, "bad address %q", truncate(hostname))
	}
	if !isIP && !validHostName(hostname) {
		return "", refuse(ErrBadURL, "bad host name %q", truncate(hostname))
	}
	host := hostname
	if isIP {
		host = addr.String()
	}
	hostport := host
	switch {
	case port != "":
		hostport = net.JoinHostPort(host, strconv.FormatUint(uint64(portNum), 10))
	case isIP && addr.Is6():
		hostport = "[" + host + "]"
	}

	if c.guard == nil {
		return hostport, nil
	}
	if isIP {
		if err := c.guard.SafeAddr(addr); err != nil {
			return "", refuse(ErrPrivateAddress, "%s", hostname)
		}
	} else if isLocalName(hostname) {
		return "", refuse(ErrPrivateAddress, "%s", hostname)
	}
	// The Guardian checks the port before the address, so probing with any
	// address tells whether the port alone is allowed.
	if err := c.guard.SafeAddrPort(netip.AddrPortFrom(netip.IPv4Unspecified(), portNum)); errors.Is(err, ssrf.ErrProhibitedPort) {
		return "", refuse(ErrPort, "%d", portNum)
	}
	return hostport, nil
}

// validHostName accepts the bytes of DNS names (letters, digits, '-', '_',
// '.') and UTF-8 internationalised names, which the transport converts to
// punycode. Anything else would fail later with a less clear error.
func validHostName(host string) bool {
	if len(host) > 253 || !utf8.ValidString(host) {
		return false
	}
	for i := 0; i < len(host); i++ {
		b := host[i]
		switch {
		case b >= 0x80, b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '-', b == '_', b == '.':
		default:
			return false
		}
	}
	return true
}

// isLocalName reports names that resolve to loopback by definition
// (RFC 6761), so they are refused without a lookup.
func isLocalName(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// parseHostIP reports whether host is an IP address literal and, if so,
// which address, reading it the way the WHATWG URL standard (and so every
// browser, and the C resolver behind many HTTP clients) does: IPv6 inside
// brackets, and IPv4 in any inet_aton spelling such as 127.1, 2130706433,
// 0x7f000001 or 0177.0.0.1. A host that looks numeric but is not a valid
// address is an error rather than a name to look up.
func parseHostIP(host string) (netip.Addr, bool, error) {
	if strings.Contains(host, ":") {
		addr, err := netip.ParseAddr(host)
		if err != nil {
			return netip.Addr{}, true, err
		}
		return addr, true, nil
	}
	if !endsInNumber(host) {
		return netip.Addr{}, false, nil
	}
	addr, ok := parseIPv4(host)
	if !ok {
		return netip.Addr{}, true, errors.New("invalid IPv4 address")
	}
	return addr, true, nil
}

// endsInNumber is the WHATWG "ends in a number checker": a host whose last
// label is numeric is an IPv4 address, never a domain name.
func endsInNumber(host string) bool {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	hex, ok := strings.CutPrefix(strings.ToLower(last), "0x")
	return ok && strings.Trim(hex, "0123456789abcdef") == ""
}

// parseIPv4 is the WHATWG IPv4 parser: one to four dot-separated numbers in
// decimal, octal (leading 0) or hex (0x); the last fills the remaining bytes.
func parseIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var ipv4 uint64
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return netip.Addr{}, false
			}
			ipv4 |= n << (8 * (3 - i))
			continue
		}
		if n >= 1<<(8*(5-len(parts))) {
			return netip.Addr{}, false
		}
		ipv4 |= n
	}
	return netip.AddrFrom4([4]byte{byte(ipv4 >> 24), byte(ipv4 >> 16), byte(ipv4 >> 8), byte(ipv4)}), true
}

// parseIPv4Number parses one part of a WHATWG IPv4 address. Values that do
// not fit in 32 bits are refused, which also bounds the work.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) >= 2 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseUint(s, base, 32)
	if err != nil {
		return 0, false
	}
	return n, true
}

// truncate keeps error messages short when the input is hostile.
func truncate(s string) string {
	const max = 200
	if len(s) <= max {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.ToValidUTF8(s[:cut], "\uFFFD") + "..."
}

// lookupTimeout bounds the name lookup of Check.
const lookupTimeout = 5 * time.Second

// Check applies, without fetching, the policy a fetch of rawURL would
// meet before its first byte is sent: the URL checks (scheme,
// credentials, host, port, an IP-literal host) and, unless private
// networks are allowed, the addresses the host name resolves to now. It
// is for what was fetched before, under a policy that may have changed:
// a brief cached while fetch.allow_private_networks was on must not be
// served once it is off. Errors wrap the sentinel a fetch would give
// (ErrPrivateAddress, ErrPort, ErrNoSuchHost...); a name that does not
// resolve is refused too, since the policy cannot be checked.
func (c *Client) Check(ctx context.Context, rawURL string) error {
	if len(rawURL) > maxURLLength {
		return fmt.Errorf("fetch: %w: longer than %d bytes", ErrBadURL, maxURLLength)
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return fmt.Errorf("fetch: %w", ErrBadURL)
	}
	if _, err := c.checkURL(u); err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	if c.guard == nil {
		return nil
	}
	name := u.Hostname()
	if _, isIP, _ := parseHostIP(name); isIP {
		return nil // checkURL judged the address itself
	}
	ctx, cancel := context.WithTimeout(ctx, min(c.opts.Timeout, lookupTimeout))
	defer cancel()
	lookup := c.opts.LookupIP
	if lookup == nil {
		lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	addrs, err := lookup(ctx, name)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("fetch: %w: %s", ErrNoSuchHost, truncate(name))
	}
	for _, a := range addrs {
		if err := c.guard.SafeAddr(a.Unmap()); err != nil {
			return fmt.Errorf("fetch: %w", refuse(ErrPrivateAddress, "%s resolves to %s", truncate(name), a.Unmap()))
		}
	}
	return nil
}
