// Package sitestest is a fake of the site APIs Linkbrief's adapters read
// (YouTube's InnerTube player and timed text, Reddit's JSON, the Hacker
// News search API, GitHub's REST API, FxTwitter, arXiv's abstract pages
// and PDFs), serving answers shaped
// like the real ones from testdata on 127.0.0.1. Tests point every
// adapter's api_url at one Server.
//
// Fixtures name what they answer: youtube/player_ID.json,
// youtube/timedtext_ID_LANG.{json,xml}, reddit/ID.json (or ID.html, an
// HTML page in place of the JSON), hn/ID.json,
// github/repos_OWNER_REPO[_…].json, x/ID.json, pages/NAME.html,
// arxiv/abs_ID.html (an old-style ID's "/" as "_"; PDFs are given with
// Server.PDF). The text
// {{BASE}} in a fixture becomes the server's URL, so an item may link a
// page this server serves.
package sitestest

import (
	"bytes"
	"embed"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"
)

//go:embed testdata
var fixtures embed.FS

// Fixture returns the fixture at name ("youtube/player_bridgeVid01.json")
// as stored, or nil.
func Fixture(name string) []byte {
	b, err := fixtures.ReadFile(path.Join("testdata", name))
	if err != nil {
		return nil
	}
	return b
}

// Request is what the server saw of one request.
type Request struct {
	Method, Path, Query string
	Header              http.Header
	Body                string
}

// Server is the fake. Its zero value is not usable: call New.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	seen []Request
	pdfs map[string][]byte
}

// PDF makes the server answer /pdf/ID (arXiv's PDF address) with data;
// a versioned /pdf/IDvN falls back to ID's PDF.
func (s *Server) PDF(id string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pdfs == nil {
		s.pdfs = map[string][]byte{}
	}
	s.pdfs[id] = data
}

// arxivPDF returns the PDF registered for id, or for id without its
// version.
func (s *Server) arxivPDF(id string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.pdfs[id]; ok {
		return b
	}
	if i := strings.LastIndexByte(id, 'v'); i > 0 {
		return s.pdfs[id[:i]]
	}
	return nil
}

// New starts a Server that stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Requests returns the requests served so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.seen...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.seen = append(s.seen, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
	s.mu.Unlock()
	p := r.URL.Path
	switch {
	case p == "/youtubei/v1/player" && r.Method == http.MethodPost:
		var req struct {
			VideoID string `json:"videoId"`
		}
		_ = json.Unmarshal(body, &req)
		if !s.file(w, "youtube/player_"+req.VideoID+".json", "application/json; charset=UTF-8") {
			s.write(w, "application/json; charset=UTF-8", []byte(`{"playabilityStatus":{"status":"ERROR","reason":"Video unavailable"}}`))
		}
	case p == "/api/timedtext":
		q := r.URL.Query()
		name := "youtube/timedtext_" + q.Get("v") + "_" + q.Get("lang")
		if q.Get("fmt") == "json3" && s.file(w, name+".json", "application/json; charset=UTF-8") {
			return
		}
		if !s.file(w, name+".xml", "text/xml; charset=UTF-8") {
			// YouTube answers an empty 200 when it will not give captions.
			s.write(w, "text/html; charset=UTF-8", nil)
		}
	case strings.HasPrefix(p, "/comments/") && strings.HasSuffix(p, ".json"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/comments/"), ".json")
		switch {
		case s.file(w, "reddit/"+id+".json", "application/json; charset=UTF-8"):
		case s.file(w, "reddit/"+id+".html", "text/html; charset=utf-8"):
		case id == "forbidden":
			http.Error(w, "blocked", http.StatusForbidden)
		default:
			s.write(w, "application/json; charset=UTF-8", []byte(`{"message": "Not Found", "error": 404}`), http.StatusNotFound)
		}
	case strings.HasPrefix(p, "/api/v1/items/"):
		if !s.file(w, "hn/"+strings.TrimPrefix(p, "/api/v1/items/")+".json", "application/json; charset=utf-8") {
			s.write(w, "application/json; charset=utf-8", []byte(`{"status":404,"error":"Not Found"}`), http.StatusNotFound)
		}
	case strings.HasPrefix(p, "/repos/"):
		if strings.Contains(p, "ratelimited") {
			w.Header().Set("X-RateLimit-Remaining", "0")
			s.write(w, "application/json; charset=utf-8", []byte(`{"message":"API rate limit exceeded for 203.0.113.7.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`), http.StatusForbidden)
			return
		}
		name := "github/" + strings.ReplaceAll(strings.Trim(p, "/"), "/", "_") + ".json"
		if !s.file(w, name, "application/json; charset=utf-8") {
			s.write(w, "application/json; charset=utf-8", []byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`), http.StatusNotFound)
		}
	case strings.Contains(p, "/status/"):
		id := path.Base(p)
		if !s.file(w, "x/"+id+".json", "application/json") {
			s.write(w, "application/json", []byte(`{"code":404,"message":"NOT_FOUND","tweet":null}`), http.StatusNotFound)
		}
	case strings.HasPrefix(p, "/abs/"):
		id := strings.TrimPrefix(p, "/abs/")
		name := "arxiv/abs_" + strings.ReplaceAll(id, "/", "_")
		if !s.file(w, name+".html", "text/html; charset=utf-8") {
			if i := strings.LastIndexByte(name, 'v'); i < 0 || !s.file(w, name[:i]+".html", "text/html; charset=utf-8") {
				http.NotFound(w, r)
			}
		}
	case strings.HasPrefix(p, "/pdf/"):
		if b := s.arxivPDF(strings.TrimSuffix(strings.TrimPrefix(p, "/pdf/"), ".pdf")); b != nil {
			s.write(w, "application/pdf", b)
			return
		}
		http.NotFound(w, r)
	case strings.HasPrefix(p, "/pages/"):
		if !s.file(w, "pages/"+strings.TrimPrefix(p, "/pages/")+".html", "text/html; charset=utf-8") {
			http.NotFound(w, r)
		}
	default:
		http.NotFound(w, r)
	}
}

// file serves a fixture with {{BASE}} replaced; false when there is none.
func (s *Server) file(w http.ResponseWriter, name, contentType string) bool {
	b := Fixture(name)
	if b == nil {
		return false
	}
	s.write(w, contentType, bytes.ReplaceAll(b, []byte("{{BASE}}"), []byte(s.URL)))
	return true
}

func (s *Server) write(w http.ResponseWriter, contentType string, body []byte, status ...int) {
	w.Header().Set("Content-Type", contentType)
	if len(status) > 0 {
		w.WriteHeader(status[0])
	}
	w.Write(body)
}
