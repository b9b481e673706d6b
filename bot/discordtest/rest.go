package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody caps a request body, as Discord caps uploads.
const maxBody = 10 << 20

// request is one REST request being handled.
type request struct {
	method string
	route  string   // path below /api/v<N>
	segs   []string // route split on "/"
	query  url.Values
	raw    []byte
	body   any                        // decoded JSON, nil if none
	fields map[string]json.RawMessage // top-level JSON object fields, nil if not an object
	files  int                        // multipart files
}

func (rq *request) seg(i int) string { return rq.segs[i] }

// decode unmarshals the JSON body into v; the error is Discord's.
func (rq *request) decode(v any) *apiError {
	b := rq.raw
	if rq.body != nil {
		b, _ = json.Marshal(rq.body)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return invalidJSON(err)
	}
	return nil
}

func invalidJSON(err error) *apiError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		fe := formErrors{}
		fe.add(te.Field, "BASE_TYPE_BAD_TYPE", "Value is of the wrong type (%s).", te.Value)
		return fe.apiError()
	}
	return &apiError{status: 400, Code: 50109, Message: "The request body contains invalid JSON."}
}

// reply is a handler's answer: a status and a JSON body (nil for none).
type reply struct {
	status int
	body   any
}

func ok(body any) reply      { return reply{status: http.StatusOK, body: body} }
func created(body any) reply { return reply{status: http.StatusCreated, body: body} }
func noContent() reply       { return reply{status: http.StatusNoContent} }
func fail(e *apiError) reply { return reply{status: e.status, body: e} }

type handler func(s *Server, rq *request) reply

type route struct {
	method string
	segs   []string
	noAuth bool
	h      handler
}

// routeTable lists the REST endpoints the fake serves, below /api/v<N>.
func routeTable() []route {
	return []route{
		{method: "GET", segs: split("/gateway"), noAuth: true, h: (*Server).getGateway},
		{method: "GET", segs: split("/gateway/bot"), h: (*Server).getGatewayBot},
		{method: "GET", segs: split("/users/*"), h: (*Server).getUser},
		{method: "GET", segs: split("/applications/*"), h: (*Server).getApplication},
		{method: "GET", segs: split("/oauth2/applications/@me"), h: (*Server).getApplication},
		{method: "GET", segs: split("/applications/*/commands"), h: (*Server).getCommands},
		{method: "PUT", segs: split("/applications/*/commands"), h: (*Server).putCommands},
		{method: "GET", segs: split("/applications/*/guilds/*/commands"), h: (*Server).getCommands},
		{method: "PUT", segs: split("/applications/*/guilds/*/commands"), h: (*Server).putCommands},
		{method: "GET", segs: split("/channels/*"), h: (*Server).getChannel},
		{method: "PATCH", segs: split("/channels/*"), h: (*Server).patchChannel},
		{method: "GET", segs: split("/channels/*/messages"), h: (*Server).getMessages},
		{method: "POST", segs: split("/channels/*/messages"), h: (*Server).postMessage},
		{method: "GET", segs: split("/channels/*/messages/*"), h: (*Server).getMessage},
		{method: "PATCH", segs: split("/channels/*/messages/*"), h: (*Server).patchMessage},
		{method: "DELETE", segs: split("/channels/*/messages/*"), h: (*Server).deleteMessage},
		{method: "POST", segs: split("/channels/*/messages/*/threads"), h: (*Server).postThreadFromMessage},
		{method: "POST", segs: split("/channels/*/threads"), h: (*Server).postThread},
		{method: "POST", segs: split("/channels/*/typing"), h: (*Server).channelNoContent},
		{method: "PUT", segs: split("/channels/*/thread-members/@me"), h: (*Server).channelNoContent},
		{method: "PUT", segs: split("/channels/*/messages/*/reactions/*/@me"), h: (*Server).reaction},
		{method: "DELETE", segs: split("/channels/*/messages/*/reactions/*/@me"), h: (*Server).reaction},
		{method: "GET", segs: split("/guilds/*"), h: (*Server).getGuild},
		{method: "GET", segs: split("/guilds/*/channels"), h: (*Server).getGuildChannels},
		{method: "GET", segs: split("/guilds/*/roles"), h: (*Server).getGuildRoles},
		{method: "GET", segs: split("/guilds/*/members/*"), h: (*Server).getGuildMember},
		{method: "POST", segs: split("/interactions/*/*/callback"), noAuth: true, h: (*Server).interactionCallback},
		{method: "POST", segs: split("/webhooks/*/*"), noAuth: true, h: (*Server).postFollowup},
		{method: "GET", segs: split("/webhooks/*/*/messages/*"), noAuth: true, h: (*Server).getWebhookMessage},
		{method: "PATCH", segs: split("/webhooks/*/*/messages/*"), noAuth: true, h: (*Server).patchWebhookMessage},
		{method: "DELETE", segs: split("/webhooks/*/*/messages/*"), noAuth: true, h: (*Server).deleteWebhookMessage},
	}
}

func split(path string) []string {
	return strings.Split(strings.Trim(path, "/"), "/")
}

func matchSegs(pattern, segs []string) bool {
	if len(pattern) != len(segs) {
		return false
	}
	for i, p := range pattern {
		if p != "*" && p != segs[i] {
			return false
		}
	}
	return true
}

// pattern is a parsed route pattern for scripts and CallsTo.
type pattern struct {
	method string // "*" for any
	any    bool   // matches every path
	segs   []string
}

// parsePattern reads "METHOD /path/*/x", "/path" (any method) or "*".
func parsePattern(method, path string) pattern {
	p := pattern{method: strings.ToUpper(strings.TrimSpace(method))}
	if p.method == "" {
		p.method = "*"
	}
	path = strings.TrimSpace(path)
	if _, rest, ok := apiVersionPrefix(path); ok {
		path = rest
	}
	if path == "*" || path == "" {
		p.any = true
		return p
	}
	p.segs = split(path)
	return p
}

// parseRoute reads a route string "METHOD /path" as Fail and RateLimit take.
func parseRoute(r string) pattern {
	r = strings.TrimSpace(r)
	if i := strings.IndexByte(r, ' '); i > 0 {
		return parsePattern(r[:i], r[i+1:])
	}
	if r != "*" && !strings.HasPrefix(r, "/") {
		return parsePattern(r, "*")
	}
	return parsePattern("*", r)
}

func (p pattern) match(method, route string) bool {
	if p.method != "*" && p.method != method {
		return false
	}
	return p.any || matchSegs(p.segs, split(route))
}

// script is a scripted answer for the next n matching calls.
type script struct {
	pat        pattern
	n          int // remaining; < 0 means every call
	failure    *Failure
	retryAfter time.Duration
	global     bool
	// after makes the call take effect before failure is answered.
	after bool
}

// Fail makes the next n calls matching route (for example
// RouteSendMessage, or "*" for every call) fail with status and a generic
// Discord error body. n < 0 fails every matching call. A 502 is retried by
// discordgo up to its MaxRestRetries.
func (s *Server) Fail(route string, status, n int) {
	s.FailWith(route, Failure{Status: status, Code: 0, Message: fmt.Sprintf("%d: %s", status, http.StatusText(status))}, n)
}

// FailWith makes the next n calls matching route answer with f, for example
// MissingPermissions on RouteStartThreadOnMessage. n < 0 means every call.
func (s *Server) FailWith(route string, f Failure, n int) {
	if n == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.scripts = append(s.st.scripts, &script{pat: parseRoute(route), n: n, failure: &f})
}

// FailAfter makes the next n calls matching route take effect (a message
// is created, an edit applied) and then answer f, as Discord sometimes does
// under load: a client that retries without a nonce then posts twice.
// n < 0 means every call.
func (s *Server) FailAfter(route string, f Failure, n int) {
	if n == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.scripts = append(s.st.scripts, &script{pat: parseRoute(route), n: n, failure: &f, after: true})
}

// RateLimit makes the next n calls matching route answer 429 with
// retry_after (body, seconds as a float) and Retry-After (header, whole
// seconds). With global, the answer carries X-RateLimit-Global and scope
// "global", which makes discordgo hold every bucket; route "*" matches all
// calls. n < 0 means every call (discordgo then retries forever).
func (s *Server) RateLimit(route string, retryAfter time.Duration, global bool, n int) {
	if n == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.scripts = append(s.st.scripts, &script{pat: parseRoute(route), n: n, retryAfter: retryAfter, global: global})
}

// ClearScripts removes every pending Fail, FailWith, FailAfter and
// RateLimit.
func (s *Server) ClearScripts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.scripts = nil
}

// takeScript returns and consumes the first script matching the call.
func (st *state) takeScript(method, route string) *script {
	for i, sc := range st.scripts {
		if !sc.pat.match(method, route) {
			continue
		}
		if sc.n > 0 {
			sc.n--
			if sc.n == 0 {
				st.scripts = append(st.scripts[:i:i], st.scripts[i+1:]...)
			}
		}
		return sc
	}
	return nil
}

// serveREST handles one REST call: record, authenticate, apply scripts,
// route, answer.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	call := Call{
		Time:   time.Now(),
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
	}
	auth := r.Header.Get("Authorization")
	call.AuthOK = auth == "Bot "+s.opts.Token
	if _, has := call.Header["Authorization"]; has {
		call.Header["Authorization"] = []string{"[redacted]"}
	}

	status, body, extra := s.handleREST(r, &call)

	resp := []byte(nil)
	if body != nil {
		var err error
		if resp, err = json.Marshal(body); err != nil {
			status, resp = 500, []byte(`{"code":0,"message":"500: Internal Server Error"}`)
		}
	}
	if resp != nil {
		extra.Set("Content-Type", "application/json")
	}
	call.Status, call.Response, call.ResponseHeader = status, resp, extra.Clone()

	s.mu.Lock()
	s.st.calls = append(s.st.calls, call)
	s.mu.Unlock()
	s.log.Debug("discordtest: rest", "method", call.Method, "path", call.Path, "status", status)
	if segs := split(call.Route); s.opts.ThreadQuestion != "" && status == http.StatusCreated && r.Method == "POST" &&
		matchSegs(split("/channels/*/messages/*/threads"), segs) {
		// The thread's question was posted; the bot learns the thread
		// exists only now, after it had the chance to answer.
		s.waitAnswer(segs[3], 2*time.Second)
	}

	h := w.Header()
	for k, v := range extra {
		h[k] = v
	}
	w.WriteHeader(status)
	if resp != nil && status != http.StatusNoContent {
		_, _ = w.Write(resp)
	}
}

// waitAnswer waits until the bot has a message in channel, or d passed.
func (s *Server) waitAnswer(channel string, d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for _, m := range s.ChannelMessages(channel) {
			if m.Author.ID == s.bot.ID {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// handleREST returns the status, JSON body and extra headers for a call,
// filling the call's route and body.
func (s *Server) handleREST(r *http.Request, call *Call) (int, any, http.Header) {
	extra := http.Header{}
	_, routePath, okPath := apiVersionPrefix(r.URL.Path)
	call.Route = routePath
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	call.RawBody = raw
	if err != nil {
		return 400, apiError{Code: 0, Message: "400: Bad Request"}, extra
	}
	if len(raw) > maxBody {
		return 413, apiError{Code: 40005, Message: "Request entity too large"}, extra
	}
	if !okPath {
		return 404, apiError{Code: 0, Message: "404: Not Found"}, extra
	}

	rq := &request{method: r.Method, route: routePath, segs: split(routePath), query: r.URL.Query(), raw: raw}
	if e := parseBody(rq, r.Header.Get("Content-Type")); e != nil {
		return e.status, e, extra
	}
	call.Body = rq.body

	var rt *route
	methodSeen := false
	for i := range s.routes {
		if matchSegs(s.routes[i].segs, rq.segs) {
			methodSeen = true
			if s.routes[i].method == r.Method {
				rt = &s.routes[i]
				break
			}
		}
	}
	if rt == nil {
		if methodSeen {
			return 405, apiError{Code: 0, Message: "405: Method Not Allowed"}, extra
		}
		return 404, apiError{Code: 0, Message: "404: Not Found"}, extra
	}
	if !rt.noAuth && !call.AuthOK {
		return 401, apiError{Code: 0, Message: "401: Unauthorized"}, extra
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.closed {
		return 503, apiError{Code: 0, Message: "503: Service Unavailable"}, extra
	}
	bucket := bucketOf(rt)
	if sc := s.st.takeScript(r.Method, routePath); sc != nil {
		if sc.failure != nil {
			f := sc.failure
			if sc.after {
				rt.h(s, rq)
			}
			rateHeaders(extra, bucket, 49, 1)
			return f.Status, apiError{Code: f.Code, Message: f.Message}, extra
		}
		secs := sc.retryAfter.Seconds()
		rateHeaders(extra, bucket, 0, secs)
		extra.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
		scope := "user"
		if sc.global {
			extra.Set("X-RateLimit-Global", "true")
			scope = "global"
		}
		extra.Set("X-RateLimit-Scope", scope)
		return 429, map[string]any{
			"message": "You are being rate limited.", "retry_after": secs, "global": sc.global, "code": 0,
		}, extra
	}
	rateHeaders(extra, bucket, 49, 1)
	rep := rt.h(s, rq)
	return rep.status, snapshot(rep.body), extra
}

// snapshot encodes a reply's body while mu is held: bodies may point into
// the state (a channel, a message), which other calls change once mu is
// released.
func snapshot(body any) any {
	if body == nil {
		return nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return body
	}
	return json.RawMessage(b)
}

// rateHeaders sets Discord's X-RateLimit-* headers.
func rateHeaders(h http.Header, bucket string, remaining int, resetAfter float64) {
	h.Set("X-RateLimit-Limit", "50")
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	reset := float64(time.Now().UnixMilli())/1000 + resetAfter
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(reset, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(resetAfter, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", bucket)
}

func bucketOf(rt *route) string {
	f := fnv.New64a()
	_, _ = f.Write([]byte(rt.method + " " + strings.Join(rt.segs, "/")))
	return strconv.FormatUint(f.Sum64(), 16)
}

// parseBody decodes a JSON or multipart (payload_json) body into rq.
func parseBody(rq *request, contentType string) *apiError {
	raw := rq.raw
	mt, params, _ := mime.ParseMediaType(contentType)
	if mt == "multipart/form-data" {
		mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
		raw = nil
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return &apiError{status: 400, Code: 50035, Message: "Invalid Form Body"}
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return &apiError{status: 400, Code: 50035, Message: "Invalid Form Body"}
			}
			if p.FormName() == "payload_json" {
				raw = data
			} else if p.FileName() != "" {
				rq.files++
			}
		}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return invalidJSON(err)
	}
	rq.body = v
	if _, isObj := v.(map[string]any); isObj {
		_ = json.Unmarshal(raw, &rq.fields)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
