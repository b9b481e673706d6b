package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/observe"
)

// TestRoutes: main's mux serves the health check, the metrics and, when
// configured, the interactions endpoint, each by the methods it answers.
func TestRoutes(t *testing.T) {
	t.Parallel()
	m := observe.New()
	health := observe.Health(observe.HealthOptions{})
	interactions := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "interactions") })
	with := newMux(health, m.Handler(), interactions)
	without := newMux(health, m.Handler(), nil)
	tests := []struct {
		name         string
		h            http.Handler
		method, path string
		wantStatus   int
		wantBody     string
	}{
		{"interactions mounted", with, http.MethodPost, "/interactions", 200, "interactions"},
		{"interactions not configured", without, http.MethodPost, "/interactions", 404, ""},
		{"metrics", without, http.MethodGet, "/metrics", 200, "# HELP linkbrief_cache_lookups_total"},
		{"metrics by POST", without, http.MethodPost, "/metrics", 405, ""},
		{"healthz", with, http.MethodGet, "/healthz", 200, "ok"},
		{"healthz by HEAD", without, http.MethodHead, "/healthz", 200, ""},
		{"unknown path", with, http.MethodGet, "/admin", 404, ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		tt.h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if body := rec.Body.String(); rec.Code != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
			t.Errorf("%s: %s %s = %d %.80q, want %d containing %q", tt.name, tt.method, tt.path, rec.Code, body, tt.wantStatus, tt.wantBody)
		}
	}
}
