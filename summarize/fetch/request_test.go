package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDoSendsMethodBodyAndHeaders(t *testing.T) {
	var got struct {
		method, body, auth, ua, accept string
	}
	srv, c := servePublic(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.method, got.body = r.Method, string(b)
		got.auth, got.ua, got.accept = r.Header.Get("Authorization"), r.Header.Get("User-Agent"), r.Header.Get("Accept")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"ok":true}`)
	}), Options{})
	page, err := c.Do(context.Background(), Request{
		Method: http.MethodPost, URL: srv.URL + "/api", Body: []byte(`{"q":1}`),
		Header: http.Header{"Authorization": {"Bearer s3cret"}, "Accept": {"application/json"}},
		Types:  []string{"application/json"},
	})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if page.ContentType != "application/json" || string(page.Body) != `{"ok":true}` {
		t.Errorf("page = %q %q, want application/json and the body", page.ContentType, page.Body)
	}
	if got.method != "POST" || got.body != `{"q":1}` || got.auth != "Bearer s3cret" || got.accept != "application/json" {
		t.Errorf("server saw %+v, want the POST, its body and headers", got)
	}
	if got.ua != DefaultUserAgent {
		t.Errorf("User-Agent = %q, want the default %q", got.ua, DefaultUserAgent)
	}
}

func TestDoRefusesTypesNotAsked(t *testing.T) {
	srv, c := servePublic(t, staticPage("application/json", []byte(`{"a":1}`)), Options{})
	_, err := c.Fetch(context.Background(), srv.URL+"/")
	if !errors.Is(err, ErrContentType) {
		t.Errorf("Fetch of JSON: err = %v, want ErrContentType", err)
	}
	if _, err := c.Do(context.Background(), Request{URL: srv.URL + "/", Types: []string{"application/json"}}); err != nil {
		t.Errorf("Do asking for JSON: %v", err)
	}
	if _, err := c.Do(context.Background(), Request{Method: "DELETE", URL: srv.URL + "/"}); err == nil {
		t.Error("Do with DELETE succeeded, want a refusal")
	}
}

func TestDoKeepsAddressChecks(t *testing.T) {
	c := newTestClient(t, Options{})
	_, err := c.Do(context.Background(), Request{Method: http.MethodPost, URL: "http://127.0.0.1/x", Types: []string{"application/json"}})
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("Do to loopback: err = %v, want ErrPrivateAddress", err)
	}
}

func TestStatusErrorRateLimit(t *testing.T) {
	tests := []struct {
		code      int
		remaining string
		retry     string
		limited   bool
		wait      time.Duration
	}{
		{429, "", "30", true, 30 * time.Second},
		{403, "0", "", true, 0},
		{403, "", "", false, 0},
		{503, "", "soon", false, 0},
	}
	for _, tt := range tests {
		srv, c := servePublic(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.remaining != "" {
				w.Header().Set("X-RateLimit-Remaining", tt.remaining)
			}
			if tt.retry != "" {
				w.Header().Set("Retry-After", tt.retry)
			}
			w.WriteHeader(tt.code)
		}), Options{})
		_, err := c.Fetch(context.Background(), srv.URL+"/")
		var se *StatusError
		if !errors.As(err, &se) {
			t.Fatalf("%d: err = %v, want a *StatusError", tt.code, err)
		}
		if se.RateLimited != tt.limited || se.RetryAfter != tt.wait {
			t.Errorf("%d remaining %q retry %q: got limited %v wait %v, want %v %v",
				tt.code, tt.remaining, tt.retry, se.RateLimited, se.RetryAfter, tt.limited, tt.wait)
		}
		if !strings.Contains(err.Error(), "answered") {
			t.Errorf("error %q does not say what the site answered", err)
		}
	}
}
