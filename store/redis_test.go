package store

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// TestOpenRedisErrors: every failure says what went wrong without the
// password, however the password was written.
func TestOpenRedisErrors(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: bind one, then close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	m := miniredis.RunT(t)
	m.RequireAuth("s3cret-pass")

	cases := []struct {
		name, url, secret, want string
	}{
		{"empty", "", "", "empty Redis URL"},
		{"scheme", "http://:hunter2@127.0.0.1:6379/0", "hunter2", "invalid URL scheme"},
		{"database", "redis://:hunter2@127.0.0.1:6379/zero", "hunter2", "invalid database number"},
		{"path", "redis://:hunter2@127.0.0.1:6379/0/1", "hunter2", "invalid URL path"},
		{"option", "redis://:hunter2@127.0.0.1:6379/0?password=hunter3", "hunter3", "unexpected option"},
		{"malformed", "redis://:hun%zzter2@127.0.0.1:6379/0", "hun%zzter2", "Redis URL"},
		{"control", "redis://user:pass\x7fword@127.0.0.1/0", "pass\x7fword", "Redis URL"},
		{"unreachable", "redis://:hunter2@" + closed + "/0", "hunter2", "connect to Redis"},
		{"escaped", "redis://:hunter%402@" + closed + "/0", "hunter@2", "connect to Redis"},
		{"wrong password", "redis://:hunter2@" + m.Addr() + "/0", "hunter2", "connect to Redis"},
		{"no password", "redis://" + m.Addr() + "/0", "s3cret-pass", "NOAUTH"},
		{"user only", "redis://hunter2@" + closed + "/0", "hunter2", "connect to Redis"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			r, err := OpenRedis(ctx, c.url)
			if err == nil {
				r.Close()
				t.Fatalf("OpenRedis(%q) = nil error, want one containing %q", c.url, c.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "store: ") || !strings.Contains(msg, c.want) {
				t.Errorf("OpenRedis(%q) error = %q, want a store: error containing %q", c.url, msg, c.want)
			}
			if c.secret != "" && strings.Contains(msg, c.secret) {
				t.Errorf("OpenRedis(%q) error = %q shows the password %q", c.url, msg, c.secret)
			}
		})
	}
}

func TestOpenRedisAuth(t *testing.T) {
	t.Parallel()
	m := miniredis.RunT(t)
	m.RequireAuth("p@ss:word")
	r := openRedis(t, "redis://:p%40ss%3Aword@"+m.Addr()+"/0")
	if ok, err := r.AcquireLease(t.Context(), "k", "o", time.Minute); !ok || err != nil {
		t.Errorf("AcquireLease on an authenticated connection = %v, %v; want true, nil", ok, err)
	}
	if !strings.Contains(r.target, "xxxxx") || strings.Contains(r.target, "word") {
		t.Errorf("target = %q, want the password masked", r.target)
	}
}

// TestRedisKeys checks what Redis holds: namespaced keys that expire with
// their lease or window, and nothing for reading the counts.
func TestRedisKeys(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := miniredis.RunT(t)
	r := openRedis(t, "redis://"+m.Addr())

	if ok, err := r.AcquireLease(ctx, "url:1", "owner", 1500*time.Microsecond); !ok || err != nil {
		t.Fatalf("AcquireLease = %v, %v", ok, err)
	}
	if got, want := m.TTL(redisLeasePrefix+"url:1"), 2*time.Millisecond; got != want {
		t.Errorf("lease TTL = %v, want %v (rounded up to whole milliseconds)", got, want)
	}
	if got, err := m.Get(redisLeasePrefix + "url:1"); got != "owner" || err != nil {
		t.Errorf("lease value = %q, %v; want the owner", got, err)
	}

	if _, err := r.Counts(ctx, Quota{User: "1", Guild: "2"}); err != nil {
		t.Fatal(err)
	}
	if m.Exists(redisRatePrefix + "linkbrief:user:1") {
		t.Error("reading the counts created the rate key")
	}
	h, err := r.Reserve(ctx, Quota{User: "1", UserPerMinute: 5, Guild: "2", DailyTokens: 100, Tokens: 40})
	if err != nil || !h.OK() {
		t.Fatalf("Reserve = %+v, %v", h, err)
	}
	members, err := m.ZMembers(redisRatePrefix + "linkbrief:user:1")
	if err != nil || len(members) != 1 || members[0] != h.ID {
		t.Errorf("rate members = %q, %v; want the hold %q", members, err, h.ID)
	}
	if got := m.TTL(redisRatePrefix + "linkbrief:user:1"); got <= 0 || got > time.Minute+time.Millisecond {
		t.Errorf("rate key TTL = %v, want about the window", got)
	}
	tokens := redisRatePrefix + "tokens:2:" + h.Day
	if got, err := m.Get(tokens); got != "40" || err != nil {
		t.Errorf("tokens = %q, %v; want the estimate 40", got, err)
	}
	if got := m.TTL(tokens); got <= 24*time.Hour || got > 48*time.Hour {
		t.Errorf("tokens key TTL = %v, want two days", got)
	}
	if m.Exists(redisRatePrefix + "linkbrief:guild:2") {
		t.Error("a guild without an hourly limit got a window")
	}
}

// TestRedisServerDown: calls fail with a store: error once the server is
// gone, and work again when it is back.
func TestRedisServerDown(t *testing.T) {
	t.Parallel()
	m := miniredis.RunT(t)
	r := openRedis(t, "redis://"+m.Addr())
	m.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if ok, err := r.AcquireLease(ctx, "k", "o", time.Minute); ok || err == nil || !strings.HasPrefix(err.Error(), "store: acquire lease") {
		t.Errorf("AcquireLease with the server down = %v, %v; want false and a store: error", ok, err)
	}
	if h, err := r.Reserve(ctx, Quota{User: "k", UserPerMinute: 1}); h.OK() || err == nil || !strings.HasPrefix(err.Error(), "store: reserve") {
		t.Errorf("Reserve with the server down = %+v, %v; want nothing and a store: error", h, err)
	}
	if err := m.Restart(); err != nil {
		t.Fatal(err)
	}
	if ok, err := r.AcquireLease(ctx, "k", "o", time.Minute); !ok || err != nil {
		t.Errorf("AcquireLease after the server came back = %v, %v; want true, nil", ok, err)
	}
}

// TestRedisDeadline: a call honours its context's deadline even when the
// server never answers.
func TestRedisDeadline(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	// A server that answers the connection handshake's PING and nothing
	// after: accept, read, stay silent.
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err = OpenRedis(ctx, "redis://"+l.Addr().String())
	if !errors.Is(err, context.DeadlineExceeded) && (err == nil || !strings.Contains(err.Error(), "timeout")) {
		t.Errorf("OpenRedis(silent server) = %v, want a deadline error", err)
	}
}

func TestRedisCloseTwice(t *testing.T) {
	t.Parallel()
	m := miniredis.RunT(t)
	r, err := OpenRedis(t.Context(), "redis://"+m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := r.Close(); err != nil {
			t.Errorf("Close #%d = %v, want nil", i+1, err)
		}
	}
	if ok, err := r.AcquireLease(t.Context(), "k", "o", time.Minute); ok || err == nil {
		t.Errorf("AcquireLease after Close = %v, %v; want false and an error", ok, err)
	}
}
